using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Gateways.Hosting;
using Gateways.Tests.Infrastructure;
using static Gateways.Tests.Infrastructure.RawPolling;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Tests.Protocol;

/// <summary>Acknowledges <c>ping</c> with <c>pong</c>, so a test can see which transport carries an answer.</summary>
[WebSocketGateway("/upgrade")]
public sealed class UpgradeGateway
{
    [SubscribeMessage("ping")]
    public string Ping() => "pong";
}

/// <summary>
/// The polling → WebSocket upgrade on the wire, as engine.io does it: while the WebSocket is probing, polls go on
/// carrying packets (the answer to a namespace CONNECT sent during the probe comes back over polling, not after the
/// upgrade), a poll with nothing to carry ends with a noop so that the client can pause polling, and after "5" the
/// WebSocket carries everything and polling is refused.
/// </summary>
public sealed class UpgradeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task PacketsQueuedDuringTheProbeGoOutOverPolling()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways => gateways.AddGateway<UpgradeGateway>());
        using var http = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = Timeout };
        var sid = await OpenPollingAsync(http);
        using var socket = await ProbeAsync(server, sid);

        // socket.io-client sends CONNECT as soon as the session opens, often while the probe is under way.
        await PostAsync(http, sid, "40/upgrade,");

        var poll = await GetAsync(http, sid);
        Assert.StartsWith("40/upgrade,{\"sid\":", poll);
    }

    [Fact]
    public async Task APollWithNothingToCarryEndsWithANoopOnceTheProbeSucceeded()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways => gateways.AddGateway<UpgradeGateway>());
        using var http = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = Timeout };
        var sid = await OpenPollingAsync(http);
        using var socket = await ProbeAsync(server, sid);

        // Nothing is queued: without the noop this poll would wait for the next ping, pingInterval (25 s) away.
        Assert.Equal("6", await GetAsync(http, sid));
        Assert.Equal("6", await GetAsync(http, sid));
    }

    [Fact]
    public async Task AfterTheUpgradeTheWebSocketCarriesEverythingAndPollingIsRefused()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways => gateways.AddGateway<UpgradeGateway>());
        using var http = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = Timeout };
        var (sid, socket) = await ConnectThenProbeAsync(server, http);
        using var _ = socket;

        await SendAsync(socket, "5");
        await SendAsync(socket, "42/upgrade,7[\"ping\"]");

        Assert.Equal("43/upgrade,7[\"pong\"]", await ReceiveAsync(socket));
        using var late = await http.GetAsync($"/socket.io/?EIO=4&transport=polling&sid={sid}");
        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
    }

    [Fact]
    public async Task APollThatWaitsWhenTheUpgradeCompletesEndsWithANoopAndTheQueueMovesToTheWebSocket()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways => gateways.AddGateway<UpgradeGateway>());
        using var http = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = Timeout };
        var (sid, socket) = await ConnectThenProbeAsync(server, http);
        using var _ = socket;

        // A client that did not pause polling: its poll is in flight when "5" arrives.
        var poll = GetAsync(http, sid);
        await SendAsync(socket, "5");

        Assert.Equal("6", await poll);
        await SendAsync(socket, "42/upgrade,8[\"ping\"]");
        Assert.Equal("43/upgrade,8[\"pong\"]", await ReceiveAsync(socket));
    }

    /// <summary>A polling session connected to <c>/upgrade</c>, with its WebSocket past the probe.</summary>
    private static async Task<(string Sid, ClientWebSocket Socket)> ConnectThenProbeAsync(TestGatewayServer server, HttpClient http)
    {
        var sid = await OpenPollingAsync(http);
        await PostAsync(http, sid, "40/upgrade,");
        Assert.StartsWith("40/upgrade,", await GetAsync(http, sid));
        return (sid, await ProbeAsync(server, sid));
    }

    private static async Task<string> OpenPollingAsync(HttpClient http)
    {
        var open = await GetBodyAsync(http, "/socket.io/?EIO=4&transport=polling");
        Assert.StartsWith("0", open);
        using var json = JsonDocument.Parse(open[1..]);
        Assert.Equal("websocket", json.RootElement.GetProperty("upgrades")[0].GetString());
        return json.RootElement.GetProperty("sid").GetString()!;
    }

    /// <summary>Opens the WebSocket of the upgrade and exchanges "2probe"/"3probe".</summary>
    private static async Task<ClientWebSocket> ProbeAsync(TestGatewayServer server, string sid)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(server.Url.Replace("http", "ws", StringComparison.Ordinal)
            + $"/socket.io/?EIO=4&transport=websocket&sid={sid}"), CancellationToken.None);
        await SendAsync(socket, "2probe");
        Assert.Equal("3probe", await ReceiveAsync(socket));
        return socket;
    }

    private static Task SendAsync(ClientWebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<string> ReceiveAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var buffer = new byte[4096];
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        Assert.True(result.EndOfMessage);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }
}
