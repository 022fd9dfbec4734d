using System.Text;
using System.Text.Json;
using Gateways.Adapters;
using Gateways.Hosting;
using Gateways.Recovery;
using Gateways.SocketIO;
using Gateways.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Gateways.Tests.Recovery;

/// <summary>One namespace's recovery store alone, on a fake clock: what is stamped, what a session gets back, and
/// every bound — the window, the session count, the stored packets and bytes — with what a client then gets instead
/// (a fresh socket, never a partial replay).</summary>
public sealed class ConnectionRecoveryStoreTests
{
    private static readonly JsonSerializerOptions Json = TestJson.Runtime;

    private readonly List<string> _expired = [];
    private readonly CapturingLoggerProvider _logs = new();

    private (ConnectionRecoveryStore Store, FakeTimeProvider Clock) Store(Action<ConnectionStateRecoveryOptions>? configure = null)
    {
        var options = new ConnectionStateRecoveryOptions { Enabled = true };
        configure?.Invoke(options);
        var clock = new FakeTimeProvider();
        return (new ConnectionRecoveryStore("/", options, clock, maxPacketBytes: 1_000_000, _logs.CreateLogger("recovery"),
            session => _expired.Add(session.PrivateId)), clock);
    }

    private static BroadcastOptions To(params string[] rooms) => new(rooms.ToHashSet(), new HashSet<string>());

    private static OutgoingPacket Event(string text) => OutgoingPacket.Event("/", "news", [text], Json);

    /// <summary>The offset a client reads: the last argument of what it was sent.</summary>
    private static string OffsetOf(OutgoingPacket stamped) =>
        JsonElement.Parse(stamped.Payload.Span).EnumerateArray().Last().GetString()!;

    private static string[] Texts(IEnumerable<OutgoingPacket> packets) =>
        [.. packets.Select(p => JsonElement.Parse(p.Payload.Span)[1].GetString()!)];

    /// <param name="connectedAt">The store's offset when the socket connected; by default before anything was stamped.</param>
    private static RecoverySession Session(ConnectionRecoveryStore store, FakeTimeProvider clock, string[] rooms, string? connectedAt = null,
        DateTimeOffset? tokenExpiresAt = null, string pid = "pid-1") =>
        new(pid, "socket-1", rooms, [new("score", 7)], null, "alice", tokenExpiresAt, connectedAt ?? BeforeAnything(store), clock.GetUtcNow());

    private static string BeforeAnything(ConnectionRecoveryStore store) =>
        store.CurrentOffset[..(store.CurrentOffset.LastIndexOf('-') + 1)] + "0";

    [Fact]
    public void EventsWithoutAckAreStampedAndEverythingElseGoesAsItIs()
    {
        var (store, _) = Store();

        var stamped = store.Stamp(Event("hello"), To("r"));
        var withAck = OutgoingPacket.Event("/", "ask", ["?"], Json, ackId: 3);
        var relayed = store.Stamp(OutgoingPacket.Relayed(SocketIOPacketType.Event, "/", -1, Encoding.UTF8.GetBytes("[\"news\",{\"a\":1}] "), null), To());

        Assert.Equal(2, JsonElement.Parse(stamped.Payload.Span).GetArrayLength() - 1); // "hello" and the offset
        Assert.Same(withAck, store.Stamp(withAck, To("r")));
        Assert.Equal("{\"a\":1}", JsonElement.Parse(relayed.Payload.Span)[1].GetRawText());
        Assert.NotEqual(OffsetOf(stamped), OffsetOf(relayed));
        Assert.Equal(2, store.PacketCount);
    }

    [Fact]
    public void ASessionGetsBackWhatWasMeantForItsRoomsAfterItsOffsetOnce()
    {
        var (store, clock) = Store();
        var seen = store.Stamp(Event("seen"), To("r"));
        store.Persist(Session(store, clock, ["socket-1", "r"]));
        store.Stamp(Event("to r"), To("r"));
        store.Stamp(Event("to another room"), To("other"));
        store.Stamp(Event("to everyone"), To());
        store.Stamp(Event("to everyone but r"), new BroadcastOptions(new HashSet<string>(), new HashSet<string> { "r" }));
        store.Stamp(Event("to the socket"), To("socket-1"));

        Assert.True(store.TryRestore("pid-1", OffsetOf(seen), out var session, out var missed));
        Assert.Equal(["to r", "to everyone", "to the socket"], Texts(missed));
        Assert.Equal(("socket-1", "alice", 7), (session.SocketId, session.UserId, (int)session.Items.Single().Value!));
        Assert.False(store.TryRestore("pid-1", OffsetOf(seen), out _, out _));
    }

    [Fact]
    public void WithoutAnOffsetEverythingSinceTheSocketConnectedIsMissed()
    {
        var (store, clock) = Store();
        store.Stamp(Event("before it connected"), To());
        var connectedAt = store.CurrentOffset;
        store.Stamp(Event("while connected"), To());
        store.Persist(Session(store, clock, ["socket-1"], connectedAt));

        Assert.True(store.TryRestore("pid-1", offset: null, out _, out var missed));
        Assert.Equal(["while connected"], Texts(missed));
    }

    [Fact]
    public void SessionsAndPacketsOlderThanTheWindowAreGone()
    {
        var (store, clock) = Store(o => o.MaxDisconnectionDuration = TimeSpan.FromSeconds(30));
        var seen = store.Stamp(Event("seen"), To());
        store.Persist(Session(store, clock, ["socket-1"]));
        store.Persist(Session(store, clock, ["socket-2"], pid: "pid-2"));

        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.False(store.TryRestore("pid-1", OffsetOf(seen), out _, out _)); // expired, even before the sweep
        clock.Advance(TimeSpan.FromSeconds(30)); // the sweep runs every window (at most a minute)

        Assert.Equal((0, 0), (store.SessionCount, store.PacketCount));
        Assert.Equal(["pid-1", "pid-2"], _expired); // each told once: one found expired at its return, one swept
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(2, _expired.Count);
    }

    [Fact]
    public void TheOldestSessionGoesPastTheLimit()
    {
        var (store, clock) = Store(o => o.MaxSessions = 2);
        foreach (var pid in new[] { "pid-1", "pid-2", "pid-3" })
        {
            store.Persist(Session(store, clock, ["socket-1"], pid: pid));
        }

        Assert.Equal(2, store.SessionCount);
        Assert.False(store.TryRestore("pid-1", null, out _, out _));
        Assert.True(store.TryRestore("pid-3", null, out _, out _));
        Assert.Equal(["pid-1"], _expired); // pushed out: it ends without recovery
    }

    [Theory]
    [InlineData(3, long.MaxValue)] // packets
    [InlineData(1000, 200)]        // bytes
    public void AClientWhoseMissedEventsWereDroppedConnectsAfresh(int maxPackets, long maxBytes)
    {
        var (store, clock) = Store(o => (o.MaxStoredPackets, o.MaxStoredBytes) = (maxPackets, maxBytes));
        var seen = store.Stamp(Event("seen"), To());
        store.Persist(Session(store, clock, ["socket-1"]));
        store.Persist(Session(store, clock, ["socket-1"], pid: "pid-2"));
        for (var i = 0; i < 10; i++)
        {
            store.Stamp(Event($"event {i} " + new string('x', 40)), To());
        }

        Assert.True(store.PacketCount <= maxPackets);
        Assert.False(store.TryRestore("pid-1", OffsetOf(seen), out _, out _));
        clock.Advance(TimeSpan.FromMinutes(1)); // the sweep: one warning for everything dropped since the last one
        Assert.Single(_logs.Entries, e => e.Message.Contains("dropped 0 sessions and", StringComparison.Ordinal));
        // One that saw the latest still recovers: nothing it needs was dropped.
        Assert.True(store.TryRestore("pid-2", OffsetOf(store.Stamp(Event("latest"), To())), out _, out var missed));
        Assert.Empty(missed);
    }

    [Fact]
    public void AnOffsetFromElsewhereOrAfterAnExpiredTokenIsNoRecovery()
    {
        var (store, clock) = Store();
        var (other, _) = Store();
        var foreign = other.Stamp(Event("elsewhere"), To());
        store.Persist(Session(store, clock, ["socket-1"]));
        store.Persist(Session(store, clock, ["socket-1"], tokenExpiresAt: clock.GetUtcNow().AddSeconds(5), pid: "pid-2"));
        clock.Advance(TimeSpan.FromSeconds(6));

        Assert.False(store.TryRestore("pid-1", OffsetOf(foreign), out _, out _));
        Assert.False(store.TryRestore("pid-2", null, out _, out _));
        Assert.False(store.TryRestore("no such pid", null, out _, out _));
    }
}
