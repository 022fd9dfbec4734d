using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using Gateways.Adapters;
using Gateways.SocketIO;
using Gateways.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateways.Tests.Layers;

/// <summary>The single-server adapter alone, against a namespace of recording sockets: who a broadcast reaches, how
/// rooms come and go, what it refuses, and the operations on targets.</summary>
public sealed class InMemoryGatewayAdapterTests
{
    private static readonly JsonSerializerOptions Json = TestJson.Runtime;

    /// <summary>A local socket that records what the adapter hands it.</summary>
    private sealed class RecordingSocket(string id) : SocketDouble(id), IGatewayLocalSocket
    {
        public List<OutgoingPacket> Sent { get; } = [];
        public List<string> Permitted { get; } = [];

        public bool Send(OutgoingPacket packet)
        {
            Sent.Add(packet);
            return true;
        }

        public bool SendVolatile(OutgoingPacket packet) => Send(packet);

        public Task<EventArguments> SendWithAckAsync(OutgoingPacket packet, TimeSpan timeout)
        {
            Sent.Add(packet);
            var answer = Encoding.UTF8.GetBytes($"[\"{Id} got {packet.EventName}\"]");
            return SocketIOPayloadReader.TryReadArguments(answer, [], Json, out var arguments)
                ? Task.FromResult(arguments)
                : throw new InvalidOperationException("unreadable answer");
        }

        public void JoinPermitted(IReadOnlyCollection<string> rooms) => Permitted.AddRange(rooms);
    }

    /// <summary>The namespace as the adapter sees it.</summary>
    private sealed class NamespaceDouble(params RecordingSocket[] sockets) : IGatewayAdapterContext
    {
        private readonly Dictionary<string, RecordingSocket> _sockets = sockets.ToDictionary(s => s.Id);
        private long _ackId;

        public string Namespace => "/";
        public IGatewayServer Server => throw new NotSupportedException();
        public JsonSerializerOptions SerializerOptions => Json;
        public TimeProvider TimeProvider => TimeProvider.System;
        public ILogger Logger => NullLogger.Instance;
        public long MaxPacketBytes { get; init; } = 1_000_000;
        public int LocalSocketCount => _sockets.Count;
        public IEnumerable<IGatewayLocalSocket> LocalSockets => _sockets.Values;

        public bool TryGetLocalSocket(string socketId, [NotNullWhen(true)] out IGatewayLocalSocket? socket)
        {
            socket = _sockets.GetValueOrDefault(socketId);
            return socket is not null;
        }

        public long NextAckId() => ++_ackId;
        public EventArguments ReadArguments(ReadOnlyMemory<byte> jsonArray, IReadOnlyList<ReadOnlyMemory<byte>> attachments) =>
            throw new NotSupportedException();
        public ValueTask<ServerSideEmitResult> DispatchServerSideEmitAsync(string eventName, EventArguments args) =>
            throw new NotSupportedException();
    }

    /// <summary>Records the room hooks a cluster adapter builds its subscriptions on.</summary>
    private sealed class HookedAdapter(IGatewayAdapterContext context) : InMemoryGatewayAdapter(context)
    {
        public List<string> Hooks { get; } = [];

        protected override void OnRoomCreated(string room, bool isSocketRoom) => Hooks.Add($"+{room}{(isSocketRoom ? " (socket)" : "")}");

        protected override void OnRoomDeleted(string room, bool isSocketRoom) => Hooks.Add($"-{room}{(isSocketRoom ? " (socket)" : "")}");
    }

    /// <summary>Sockets a, b, c, each in its own room as the runtime puts them; a in r1 and r2, b in r1, c in r3.</summary>
    private static (HookedAdapter Adapter, RecordingSocket A, RecordingSocket B, RecordingSocket C) Namespace(long maxPacketBytes = 1_000_000)
    {
        RecordingSocket a = new("a"), b = new("b"), c = new("c");
        var adapter = new HookedAdapter(new NamespaceDouble(a, b, c) { MaxPacketBytes = maxPacketBytes });
        adapter.AddAll("a", ["a", "r1", "r2"]);
        adapter.AddAll("b", ["b", "r1"]);
        adapter.AddAll("c", ["c", "r3"]);
        return (adapter, a, b, c);
    }

    private static BroadcastOptions To(string[] rooms, params string[] except) =>
        new(rooms.ToHashSet(), except.ToHashSet());

    private static OutgoingPacket News() => OutgoingPacket.Event("/", "news", ["hello"], Json);

    private static string[] Receivers(params RecordingSocket[] sockets) =>
        [.. sockets.Where(s => s.Sent.Count > 0).Select(s => $"{s.Id}×{s.Sent.Count}")];

    [Fact]
    public void ARoomBroadcastReachesEachMemberOnceWithTheSamePacket()
    {
        var (adapter, a, b, c) = Namespace();
        var packet = News();

        adapter.Broadcast(packet, To(["r1", "r2"]));

        Assert.Equal(["a×1", "b×1"], Receivers(a, b, c));
        Assert.Same(packet, a.Sent[0]);
        Assert.Same(packet, b.Sent[0]);
        Assert.True(packet.IsEncoded);
    }

    [Fact]
    public void ExceptRoomsLeaveTheirMembersOutOfEveryKindOfBroadcast()
    {
        var (adapter, a, b, c) = Namespace();

        adapter.Broadcast(News(), To([], except: "r3"));           // everyone but r3
        adapter.Broadcast(News(), To(["r1"], except: "a"));        // r1 but the sender (its own room)
        adapter.Broadcast(News(), To(["r1", "r3"], except: "r1"));

        Assert.Equal(["a×1", "b×2", "c×1"], Receivers(a, b, c));
    }

    [Fact]
    public void BroadcastToAllSkipsSocketsThatAreNoLongerConnected()
    {
        var (adapter, a, b, c) = Namespace();
        b.Connected = false;

        adapter.Broadcast(News(), BroadcastOptions.All);

        Assert.Equal(["a×1", "c×1"], Receivers(a, b, c));
    }

    [Fact]
    public void ABroadcastNobodyReceivesIsNotEncoded()
    {
        var (adapter, a, b, c) = Namespace();
        var packet = News();

        adapter.Broadcast(packet, To(["nobody-here"]));

        Assert.Empty(Receivers(a, b, c));
        Assert.False(packet.IsEncoded);
    }

    [Fact]
    public async Task RoomsComeWithTheirFirstMemberAndGoWithTheirLast()
    {
        var (adapter, _, _, _) = Namespace();
        Assert.Equal(["+a (socket)", "+r1", "+r2", "+b (socket)", "+c (socket)", "+r3"], adapter.Hooks);
        adapter.Hooks.Clear();

        adapter.Delete("a", "r1");   // b is still there
        adapter.Delete("a", "r2");   // a was its only member
        adapter.DeleteAll("c");

        Assert.Equal(["-r2", "-c (socket)", "-r3"], adapter.Hooks);
        Assert.Equal(["a"], adapter.SocketRooms("a"));
        Assert.Empty(adapter.SocketRooms("c"));
        Assert.Equal(["a", "b", "r1"], (await adapter.AllRoomsAsync()).Order());
    }

    [Fact]
    public void APacketNoClientCouldTakeThrowsForThisServerAndIsDroppedFromAPeer()
    {
        var (adapter, a, b, c) = Namespace(maxPacketBytes: 64);
        var big = new string('x', 100);

        var ours = Assert.Throws<OutgoingMessageTooLargeException>(() =>
            adapter.Broadcast(OutgoingPacket.Event("/", "news", [big], Json), BroadcastOptions.All));
        adapter.Broadcast(OutgoingPacket.Relayed(SocketIOPacketType.Event, "/", -1,
            Encoding.UTF8.GetBytes($"[\"news\",\"{big}\"]"), null), BroadcastOptions.All);

        Assert.Contains("news", ours.Message);
        Assert.Empty(Receivers(a, b, c));
    }

    [Fact]
    public async Task ABroadcastWithAckCollectsOneAnswerPerTarget()
    {
        var (adapter, a, b, c) = Namespace();

        var answers = await adapter.BroadcastWithAckAsync("poll", ["?"], To(["r1"]), TimeSpan.FromSeconds(5));

        Assert.Equal(["a got poll", "b got poll"], answers.Select(x => x.Get<string>(0)).Order());
        Assert.Equal(["a×1", "b×1"], Receivers(a, b, c));
        Assert.True(a.Sent[0].AckId > 0);
    }

    [Fact]
    public async Task FetchJoinLeaveAndDisconnectActOnTheTargetsOnly()
    {
        var (adapter, a, b, c) = Namespace();

        var fetched = await adapter.FetchSocketsAsync(To(["r1"]));
        adapter.AddSockets(To(["r3"]), ["vip"]);
        adapter.DelSockets(To(["r2"]), ["r1"]);
        adapter.DisconnectSockets(To([], except: "r1"), close: true);

        Assert.Equal(["a", "b"], fetched.Select(s => s.Id).Order());
        Assert.Equal(["vip"], c.Permitted);
        Assert.Empty(a.Permitted);
        Assert.Equal(["r1"], a.Left);
        Assert.Empty(b.Left);
        Assert.Equal((null, null, true), (a.DisconnectedWithClose, b.DisconnectedWithClose, c.DisconnectedWithClose));
    }
}
