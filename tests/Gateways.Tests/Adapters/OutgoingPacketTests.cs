using System.Runtime.InteropServices;
using System.Text;
using Gateways.Adapters;
using Gateways.Namespaces;
using Gateways.SocketIO;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Tests.Adapters;

/// <summary>A broadcast reaches the adapter as a packet model and is encoded late: once, and only when someone
/// receives it.</summary>
public sealed class OutgoingPacketTests
{
    /// <summary>An argument that fails if it is ever serialized.</summary>
    public sealed class Explosive
    {
        public string Value => throw new InvalidOperationException("serialized");
    }

    private static async Task<(TestGatewayServer Server, GatewayNamespace Root)> StartAsync()
    {
        var server = await TestGatewayServer.StartAsync(_ => { });
        var root = server.Services.GetRequiredService<SocketIOServer>().Namespaces.Single(n => n.Name == "/");
        return (server, root);
    }

    [Fact]
    public async Task ABroadcastNobodyReceivesIsNeverSerialized()
    {
        var (server, root) = await StartAsync();
        await using var _ = server;
        await using var client = await GatewayTestClient.ConnectAsync(new Uri(server.Url));

        var packet = OutgoingPacket.Event("/", "news", [new Explosive()], root.SerializerOptions);
        root.Adapter.Broadcast(packet, BroadcastOptions.All with { Rooms = new HashSet<string> { "empty-room" } });
        // The same call through the public API does not throw either: nothing was written.
        root.To("empty-room").Emit("news", new Explosive());

        Assert.False(packet.IsEncoded);
    }

    [Fact]
    public async Task ABroadcastIsEncodedOnceForEveryReceiverAndTheRedisPayloadIsItsTail()
    {
        var (server, root) = await StartAsync();
        await using var _ = server;
        await using var first = await GatewayTestClient.ConnectAsync(new Uri(server.Url));
        await using var second = await GatewayTestClient.ConnectAsync(new Uri(server.Url));

        var packet = OutgoingPacket.Event("/", "news", ["hello", 42], root.SerializerOptions);
        root.Adapter.Broadcast(packet, BroadcastOptions.All);
        var atFirst = await first.WaitForAsync("news");
        var atSecond = await second.WaitForAsync("news");

        Assert.Equal("hello", atFirst.Get<string>(0));
        Assert.Equal(42, atFirst.Get<int>(1));
        Assert.Equal("hello", atSecond.Get<string>(0));
        Assert.Equal("""["news","hello",42]""", Encoding.UTF8.GetString(packet.Payload.Span));
        Assert.Equal("""42["news","hello",42]""", Encoding.UTF8.GetString(packet.Frame.Text));
        // What the Redis adapters publish is a slice of the frame the sockets got: serialized once, never re-parsed.
        Assert.True(MemoryMarshal.TryGetArray(packet.Payload, out var segment) && ReferenceEquals(segment.Array, packet.Frame.Text));
    }

    [Theory]
    [InlineData(SocketIOPacketType.Event, "{\"not\":\"an array\"}")]
    [InlineData(SocketIOPacketType.Event, "[42, \"the name is not first\"]")]
    [InlineData(SocketIOPacketType.Event, "[\"unterminated")]
    [InlineData(SocketIOPacketType.Ack, "\"a string\"")]
    [InlineData(SocketIOPacketType.Connect, "[\"news\"]")]
    [InlineData(SocketIOPacketType.ConnectError, "[\"news\"]")]
    public void APeersPacketThatNoClientMayBeSentIsRefused(SocketIOPacketType type, string payload) =>
        Assert.Throws<FormatException>(() => OutgoingPacket.Relayed(type, "/", -1, Encoding.UTF8.GetBytes(payload), null));

    [Theory]
    [InlineData(SocketIOPacketType.Event, "[\"news\",{\"a\":1}]", "42[\"news\",{\"a\":1}]")]
    [InlineData(SocketIOPacketType.BinaryEvent, "[\"news\"]", "42[\"news\"]")]
    [InlineData(SocketIOPacketType.Ack, "[]", "43[]")]
    public void APeersEventOrAckIsRelayedAsWritten(SocketIOPacketType type, string payload, string frame)
    {
        var packet = OutgoingPacket.Relayed(type, "/", -1, Encoding.UTF8.GetBytes(payload), null);

        Assert.Equal(frame, Encoding.UTF8.GetString(packet.Frame.Text));
    }
}
