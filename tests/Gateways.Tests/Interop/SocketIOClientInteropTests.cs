using System.Text.Json;
using Microsoft.Extensions.Logging;
using Gateways.Tests.Infrastructure;

namespace Gateways.Tests.Interop;

/// <summary>The unmodified JavaScript socket.io-client 4.8 (Node) against a real Kestrel server. Every test runs
/// again with WebSockets answered on the connection (<see cref="SocketIOClientOverDirectWebSocketsTests"/>).</summary>
public class SocketIOClientInteropTests
{
    /// <summary>Whether the server listens with <c>UseGatewaysWebSockets()</c>.</summary>
    protected virtual bool DirectWebSockets => false;

    [Fact]
    public async Task WebSocketOnlyClientConnectsAndGetsItsAck()
    {
        await using var server = await InteropServer.StartAsync(directWebSockets: DirectWebSockets);

        var result = await NodeScenario.RunAsync("websocket-only", server.Url);

        Assert.Equal("websocket", result.GetProperty("transport").GetString());
        Assert.Equal(20, result.GetProperty("id").GetString()!.Length);
        Assert.Equal("""[{"text":"hi"},42]""", result.GetProperty("ack").GetRawText());
    }

    [Fact]
    public async Task PollingOnlyClientConnectsAndGetsEveryAck()
    {
        await using var server = await InteropServer.StartAsync(directWebSockets: DirectWebSockets);

        var result = await NodeScenario.RunAsync("polling-only", server.Url);

        Assert.Equal("polling", result.GetProperty("transport").GetString());
        Assert.Equal("""[{"text":"hi"},42]""", result.GetProperty("ack").GetRawText());
        Assert.Equal("[1,2,3]", result.GetProperty("burst").GetRawText());
    }

    [Fact]
    public async Task DefaultClientStartsWithPollingAndUpgradesToWebSocket()
    {
        await using var server = await InteropServer.StartAsync(directWebSockets: DirectWebSockets);

        var result = await NodeScenario.RunAsync("upgrade", server.Url);

        Assert.Equal("polling", result.GetProperty("first").GetString());
        Assert.Equal("websocket", result.GetProperty("upgradedTo").GetString());
        Assert.Equal("websocket", result.GetProperty("after").GetString());
        Assert.Equal("after upgrade", result.GetProperty("ack").GetString());
        // The server took note of the upgrade when it happened, not when the session ended.
        Assert.True(await server.Logs.WaitForAsync(LogLevel.Debug, "closed:", TimeSpan.FromSeconds(5)));
        var messages = server.Logs.Entries.Select(e => e.Message).ToList();
        var upgraded = messages.FindIndex(m => m.EndsWith("upgraded to WebSocket.", StringComparison.Ordinal));
        var closed = messages.FindIndex(m => m.StartsWith("Engine.IO session '", StringComparison.Ordinal) && m.Contains("' closed:", StringComparison.Ordinal));
        Assert.InRange(upgraded, 0, closed - 1);
    }

    [Theory]
    [InlineData("binary", new byte[] { 1, 2, 3 })]
    [InlineData("binary-polling", new byte[] { 250, 0, 7 })]
    public async Task BinaryPayloadsTravelBothWays(string scenario, byte[] sent)
    {
        await using var server = await InteropServer.StartAsync(directWebSockets: DirectWebSockets);

        var result = await NodeScenario.RunAsync(scenario, server.Url);

        Assert.Equal(sent, Bytes(result.GetProperty("ackBytes")));
        Assert.Equal("label", result.GetProperty("ackLabel").GetString());
        Assert.Equal(new byte[] { 9, 8, 7, 255 }, Bytes(result.GetProperty("serverBytes")));
    }

    [Fact]
    public async Task AcksWorkInBothDirectionsAndServerAckTimesOut()
    {
        await using var server = await InteropServer.StartAsync(directWebSockets: DirectWebSockets);

        var result = await NodeScenario.RunAsync("acks-both-ways", server.Url);

        Assert.Equal("answer to life", result.GetProperty("answered").GetString());
        var unanswered = result.GetProperty("unanswered");
        Assert.Equal("timeout", unanswered[0].GetString());
        Assert.Contains("did not acknowledge event 'ignored-question' within 300 ms", unanswered[1].GetString());
    }

    [Fact]
    public async Task RoomsAndBroadcastsReachExactlyTheirTargets()
    {
        await using var server = await InteropServer.StartAsync(directWebSockets: DirectWebSockets);

        var seen = await NodeScenario.RunAsync("rooms", server.Url);

        // a: in r1; sent "from a" (not to itself), got the server's room message, then its own "after b left".
        Assert.Equal(
            """[["room-message","everyone in r1"],["broadcast","from c"],["room-message","after b left"],["done"]]""",
            seen.GetProperty("a").GetRawText());
        // b: in r1 until it left, so it misses "after b left".
        Assert.Equal(
            """[["room-message","from a"],["room-message","everyone in r1"],["broadcast","from c"],["done"]]""",
            seen.GetProperty("b").GetRawText());
        // c: in no room; its own broadcast does not come back to it.
        Assert.Equal("""[["done"]]""", seen.GetProperty("c").GetRawText());
    }

    [Fact]
    public async Task ClientCanReconnectAfterServerSideDisconnect()
    {
        await using var server = await InteropServer.StartAsync(directWebSockets: DirectWebSockets);

        var result = await NodeScenario.RunAsync("server-disconnect", server.Url);

        Assert.Equal("io server disconnect", result.GetProperty("reason").GetString());
        Assert.NotEqual(result.GetProperty("firstId").GetString(), result.GetProperty("secondId").GetString());
        Assert.Equal("back", result.GetProperty("ack").GetString());
    }

    [Fact]
    public async Task ClientReconnectsByItselfWhenTheServerComesBack()
    {
        var server = await InteropServer.StartAsync(directWebSockets: DirectWebSockets);
        var port = server.Port;
        var url = server.Url;
        TestGatewayServer? restarted = null;
        try
        {
            var result = await NodeScenario.RunAsync("auto-reconnect", url, async step =>
            {
                if (step == "connected")
                {
                    await server.DisposeAsync();
                    restarted = await InteropServer.StartAsync(port, directWebSockets: DirectWebSockets);
                }
            });

            Assert.Equal("transport close", result.GetProperty("reason").GetString());
            Assert.NotEqual(result.GetProperty("firstId").GetString(), result.GetProperty("secondId").GetString());
            Assert.Equal("again", result.GetProperty("ack").GetString());
        }
        finally
        {
            if (restarted is not null)
            {
                await restarted.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task MiddlewareRefusesNamespaceConnectWithMessageAndData()
    {
        await using var server = await InteropServer.StartAsync(directWebSockets: DirectWebSockets);

        var result = await NodeScenario.RunAsync("middleware-refusal", server.Url);

        Assert.Equal("Unauthorized", result.GetProperty("message").GetString());
        Assert.Equal("""{"hint":"token"}""", result.GetProperty("data").GetRawText());
        Assert.Equal("""["trusted","/private"]""", result.GetProperty("ack").GetRawText());
        Assert.Equal("Invalid namespace", result.GetProperty("unknownNamespace").GetString());
        Assert.True(server.Logs.Contains(Microsoft.Extensions.Logging.LogLevel.Debug, "was refused namespace '/private': Unauthorized"));
    }

    private static byte[] Bytes(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetByte())];
}
