using System.Text.Json;
using Gateways.Hosting;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;

namespace Gateways.Tests.Protocol;

/// <summary><c>socket.handshake</c> as a socket.io client sees it when a handler sends it back: socket.io's field
/// names and types, so code written against a Node server's handshake reads ours unchanged.</summary>
public sealed class HandshakeShapeTests
{
    [Fact]
    public async Task AHandshakeSentToTheClientHasSocketIOsFields()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways =>
            gateways.AddNamespace("/hs", ns => ns.On("handshake", context => context.Ack(context.Socket.Handshake))));
        await using var client = await GatewayTestClient.ConnectAsync(new Uri(server.Url),
            new GatewayTestClientOptions { Namespace = "/hs", Auth = new Dictionary<string, string> { ["a"] = "b" } });
        var before = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds();

        var handshake = await client.EmitWithAckAsync<JsonElement>("handshake");

        Assert.Equal(["headers", "time", "address", "xdomain", "secure", "issued", "url", "query", "auth"],
            handshake.EnumerateObject().Select(p => p.Name));
        Assert.Equal($"127.0.0.1:{server.Port}", handshake.GetProperty("headers").GetProperty("host").GetString());
        Assert.EndsWith("GMT+0000 (Coordinated Universal Time)", handshake.GetProperty("time").GetString());
        Assert.Equal("127.0.0.1", handshake.GetProperty("address").GetString());
        Assert.False(handshake.GetProperty("xdomain").GetBoolean());
        Assert.False(handshake.GetProperty("secure").GetBoolean());
        Assert.InRange(handshake.GetProperty("issued").GetInt64(), before, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.StartsWith("/socket.io/?", handshake.GetProperty("url").GetString());
        Assert.Equal("4", handshake.GetProperty("query").GetProperty("EIO").GetString());
        Assert.Equal("b", handshake.GetProperty("auth").GetProperty("a").GetString());
    }
}
