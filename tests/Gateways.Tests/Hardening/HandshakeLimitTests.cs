using System.Net;
using Gateways.EngineIO;
using Gateways.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;

namespace Gateways.Tests.Hardening;

/// <summary>Handshakes that never connect a namespace are bounded per address and in total, and oversized headers
/// open nothing. (CORS: Security/CorsTests.)</summary>
public sealed class HandshakeLimitTests
{
    private static async Task<(HttpStatusCode Status, string? Sid)> HandshakeAsync(HttpClient http)
    {
        var response = await http.GetAsync("/socket.io/?EIO=4&transport=polling");
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (response.StatusCode, null);
        }
        var open = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, System.Text.Json.JsonElement.Parse(open[1..]).GetProperty("sid").GetString());
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string sid, string packet) =>
        http.PostAsync($"/socket.io/?EIO=4&transport=polling&sid={sid}", new StringContent(packet));

    [Fact]
    public async Task SessionsThatNeverConnectAreCappedPerAddressAndFreedWhenTheyConnectOrClose()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways => gateways.AddNamespace("/", _ => { }),
            options => options.EngineIO.MaxPendingSessionsPerAddress = 5);
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        var sids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var (status, sid) = await HandshakeAsync(http);
            Assert.Equal(HttpStatusCode.OK, status);
            sids.Add(sid!);
        }
        Assert.Equal((HttpStatusCode.TooManyRequests, null), await HandshakeAsync(http));

        // One connects its namespace, one closes: two slots come back.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(http, sids[0], "40")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(http, sids[1], "1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await HandshakeSoonAsync(http));
        Assert.Equal(HttpStatusCode.OK, await HandshakeSoonAsync(http));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await HandshakeAsync(http)).Status);
        // The session that connected still works.
        Assert.Contains("40{\"sid\"", await http.GetStringAsync($"/socket.io/?EIO=4&transport=polling&sid={sids[0]}"));
    }

    [Fact]
    public async Task SessionsThatNeverConnectAreCappedInTotal()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways => gateways.AddNamespace("/", _ => { }), options =>
        {
            options.EngineIO.MaxPendingSessionsPerAddress = 0;
            options.EngineIO.MaxPendingSessions = 3;
        });
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await HandshakeAsync(http)).Status);
        }
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await HandshakeAsync(http)).Status);
    }

    private sealed class SilentApplication : EngineIO.IEngineIOApplication, EngineIO.IEngineIOSessionHandler
    {
        public EngineIO.IEngineIOSessionHandler OnOpen(EngineIO.EngineIOSession session) => this;

        public ValueTask OnMessageAsync(EngineIO.EngineIOMessage message) => ValueTask.CompletedTask;

        public void OnClose(string reason)
        {
        }
    }

    [Fact]
    public async Task ABareEngineIOApplicationHasNoPendingStepAndIsNotCapped()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways => gateways.AddNamespace("/", _ => { }),
            configureApp: app => app.MapEngineIO("/engine.io/", new SilentApplication(),
                new EngineIO.EngineIOOptions { MaxPendingSessionsPerAddress = 2 }));
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/engine.io/?EIO=4&transport=polling")).StatusCode);
        }
    }

    [Fact]
    public async Task AHandshakeWithOversizedHeadersGets431AndOpensNothing()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways => gateways.AddNamespace("/", _ => { }));
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/socket.io/?EIO=4&transport=polling");
        request.Headers.Add("X-Padding", new string('x', 20_000));

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        Assert.DoesNotContain(server.Logs.Entries, e => e.Message.Contains("Engine.IO session", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await HandshakeAsync(http)).Status);
    }

    /// <summary>A handshake, retried for a moment: a slot comes back when the server has processed the POST.</summary>
    private static async Task<HttpStatusCode> HandshakeSoonAsync(HttpClient http)
    {
        var status = HttpStatusCode.TooManyRequests;
        for (var i = 0; i < 50 && status == HttpStatusCode.TooManyRequests; i++)
        {
            status = (await HandshakeAsync(http)).Status;
            if (status == HttpStatusCode.TooManyRequests)
            {
                await Task.Delay(50);
            }
        }
        return status;
    }
}
