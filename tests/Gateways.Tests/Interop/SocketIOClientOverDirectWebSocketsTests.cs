using System.Collections.Concurrent;
using Gateways.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;

namespace Gateways.Tests.Interop;

/// <summary>Every socket.io-client test again, the server listening with <c>UseGatewaysWebSockets()</c>: WebSockets
/// answered on the connection, polling and upgrades from it served as before.</summary>
public sealed class SocketIOClientOverDirectWebSocketsTests : SocketIOClientInteropTests
{
    protected override bool DirectWebSockets => true;

    [Fact]
    public async Task AWebSocketClientNeverReachesTheHttpPipelineWhileAPollingOneStillDoes()
    {
        var seenByHttp = new ConcurrentQueue<string>();
        await using var server = await InteropServer.StartAsync(directWebSockets: true, configureApp: app => app.Use(async (context, next) =>
        {
            seenByHttp.Enqueue(context.Request.QueryString.Value ?? string.Empty);
            await next();
        }));

        var overWebSocket = await NodeScenario.RunAsync("websocket-only", server.Url);
        Assert.Equal("""[{"text":"hi"},42]""", overWebSocket.GetProperty("ack").GetRawText());
        Assert.Empty(seenByHttp);

        var overPolling = await NodeScenario.RunAsync("polling-only", server.Url);
        Assert.Equal("[1,2,3]", overPolling.GetProperty("burst").GetRawText());
        Assert.NotEmpty(seenByHttp);
        Assert.All(seenByHttp, query => Assert.Contains("transport=polling", query));
    }
}
