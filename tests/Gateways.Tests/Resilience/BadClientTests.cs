using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Gateways.Hosting;
using Gateways.Namespaces;
using Gateways.Tests.Infrastructure;
using Gateways.Tests.Interop;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateways.Tests.Resilience;

/// <summary>
/// Each bad input gets a clear close or HTTP error, is logged, and leaves a healthy client connected beside it
/// undisturbed: it is connected before the bad one and must still get its echo afterwards.
/// </summary>
public sealed class BadClientTests
{
    private const int MaxPayload = 10_000;

    private static Task<TestGatewayServer> StartAsync(Action<GatewaysOptions>? tweak = null) =>
        TestGatewayServer.StartAsync(gateways =>
        {
            InteropServer.Configure(gateways);
            gateways.AddNamespace("/", ns => ns.On("flood-me", context =>
            {
                var chunk = new string('x', 32 * 1024);
                for (var i = 0; i < 4000 && context.Socket.Connected; i++)
                {
                    context.Socket.Emit("flood", chunk);
                }
            }));
        }, options =>
        {
            options.EngineIO.MaxPayload = MaxPayload;
            options.EngineIO.MaxBufferedBytes = 256 * 1024;
            // Short for the connect-timeout test, long enough for a healthy client on a loaded machine.
            options.ConnectTimeout = TimeSpan.FromSeconds(2);
            tweak?.Invoke(options);
        });

    private static async Task AssertHealthyAsync(RawSocketIOClient healthy, int ackId)
    {
        Assert.Equal($"43{ackId}[\"still here {ackId}\"]", await healthy.EchoAsync($"still here {ackId}", ackId));
    }

    [Theory]
    [InlineData("42{}")]
    [InlineData("4abc")]
    [InlineData("42[\"disconnect\"]")]
    [InlineData("451-[\"x\",{\"_placeholder\":true,\"num\":0}]|4text")]
    public async Task MalformedSocketIOPacketClosesOnlyThatConnection(string frames)
    {
        await using var server = await StartAsync();
        await using var healthy = await RawSocketIOClient.ConnectSocketIOAsync(server.Url);
        await AssertHealthyAsync(healthy, 1);
        await using var bad = await RawSocketIOClient.ConnectSocketIOAsync(server.Url);

        foreach (var frame in frames.Split('|'))
        {
            await bad.SendTextAsync(frame);
        }

        Assert.True(await bad.WaitForCloseAsync(TimeSpan.FromSeconds(15)), "the bad connection was not closed");
        Assert.True(await server.Logs.WaitForAsync(LogLevel.Warning, "sent an invalid Socket.IO packet", TimeSpan.FromSeconds(15)));
        await AssertHealthyAsync(healthy, 2);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("9")]
    public async Task MalformedEngineIOPacketClosesOnlyThatConnection(string frame)
    {
        await using var server = await StartAsync();
        await using var healthy = await RawSocketIOClient.ConnectSocketIOAsync(server.Url);
        await using var bad = await RawSocketIOClient.ConnectAsync(server.Url);

        await bad.SendTextAsync(frame);

        Assert.True(await bad.WaitForCloseAsync(TimeSpan.FromSeconds(15)));
        Assert.True(await server.Logs.WaitForAsync(LogLevel.Warning, "sent an invalid packet", TimeSpan.FromSeconds(15)));
        await AssertHealthyAsync(healthy, 1);
    }

    [Fact]
    public async Task OversizedWebSocketMessageClosesWithMessageTooBig()
    {
        await using var server = await StartAsync();
        await using var healthy = await RawSocketIOClient.ConnectSocketIOAsync(server.Url);
        await using var bad = await RawSocketIOClient.ConnectSocketIOAsync(server.Url);

        await bad.SendTextAsync("42[\"echo\",\"" + new string('y', MaxPayload * 2) + "\"]");

        Assert.True(await bad.WaitForCloseAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, bad.CloseStatus);
        Assert.True(server.Logs.Contains(LogLevel.Warning, $"sent more than maxPayload ({MaxPayload} bytes)"));
        await AssertHealthyAsync(healthy, 1);
    }

    [Fact]
    public async Task OversizedPollingBodyGets413AndEndsTheSession()
    {
        await using var server = await StartAsync();
        await using var healthy = await RawSocketIOClient.ConnectSocketIOAsync(server.Url);
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        var sid = await OpenPollingSessionAsync(http);

        var post = await http.PostAsync($"/socket.io/?EIO=4&transport=polling&sid={sid}",
            new StringContent("4" + new string('z', MaxPayload * 2)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, post.StatusCode);
        var poll = await http.GetAsync($"/socket.io/?EIO=4&transport=polling&sid={sid}");
        Assert.Equal(HttpStatusCode.BadRequest, poll.StatusCode);
        await AssertHealthyAsync(healthy, 1);
    }

    [Theory]
    [InlineData("GET", "/socket.io/?EIO=4&transport=polling&sid=unknown", 400, 1, "Session ID unknown")]
    [InlineData("POST", "/socket.io/?EIO=4&transport=polling&sid=unknown", 400, 1, "Session ID unknown")]
    [InlineData("GET", "/socket.io/?EIO=3&transport=polling", 400, 5, "Unsupported protocol version")]
    [InlineData("GET", "/socket.io/?transport=polling", 400, 5, "Unsupported protocol version")]
    [InlineData("GET", "/socket.io/?EIO=4&transport=carrier-pigeon", 400, 0, "Transport unknown")]
    [InlineData("GET", "/socket.io/?EIO=4", 400, 0, "Transport unknown")]
    [InlineData("PUT", "/socket.io/?EIO=4&transport=polling", 400, 2, "Bad handshake method")]
    [InlineData("GET", "/socket.io/?EIO=4&transport=websocket", 400, 3, "Bad request")]
    public async Task BadRequestsGetTheReferenceServersErrors(string method, string path, int status, int code, string message)
    {
        await using var server = await StartAsync();
        await using var healthy = await RawSocketIOClient.ConnectSocketIOAsync(server.Url);
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };

        var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(status, (int)response.StatusCode);
        var body = JsonElement.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(code, body.GetProperty("code").GetInt32());
        Assert.Equal(message, body.GetProperty("message").GetString());
        await AssertHealthyAsync(healthy, 1);
    }

    [Fact]
    public async Task WebSocketWithUnknownSidIsRefused()
    {
        await using var server = await StartAsync();
        using var socket = new ClientWebSocket();

        var error = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(
            new Uri(server.Url.Replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket&sid=unknown"), CancellationToken.None));

        Assert.Contains("400", error.Message);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("4a\u001e\u001e4b")]
    public async Task GarbageOnThePollingEndpointGets400AndEndsTheSession(string body)
    {
        await using var server = await StartAsync();
        await using var healthy = await RawSocketIOClient.ConnectSocketIOAsync(server.Url);
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        var sid = await OpenPollingSessionAsync(http);

        var post = await http.PostAsync($"/socket.io/?EIO=4&transport=polling&sid={sid}", new StringContent(body));

        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        var poll = await http.GetAsync($"/socket.io/?EIO=4&transport=polling&sid={sid}");
        Assert.Equal(HttpStatusCode.BadRequest, poll.StatusCode);
        Assert.True(server.Logs.Contains(LogLevel.Warning, $"Engine.IO session '{sid}' sent an invalid packet"));
        await AssertHealthyAsync(healthy, 1);
    }

    [Fact]
    public async Task ClientThatNeverAnswersPingsIsClosed()
    {
        await using var server = await StartAsync(options =>
        {
            options.EngineIO.PingInterval = TimeSpan.FromMilliseconds(200);
            options.EngineIO.PingTimeout = TimeSpan.FromMilliseconds(200);
        });
        await using var healthy = await RawSocketIOClient.ConnectSocketIOAsync(server.Url);
        await using var silent = await RawSocketIOClient.ConnectAsync(server.Url, answerPings: false);

        Assert.Equal(200, silent.OpenPacket.GetProperty("pingInterval").GetInt32());
        Assert.True(await silent.WaitForCloseAsync(TimeSpan.FromSeconds(15)), "the silent client was not closed");
        Assert.True(await server.Logs.WaitForAsync(LogLevel.Information, "did not answer the ping in time", TimeSpan.FromSeconds(2)));
        // The healthy client answered every ping meanwhile and is still served.
        await AssertHealthyAsync(healthy, 1);
    }

    [Fact]
    public async Task ClientThatJoinsNoNamespaceIsClosedAfterTheConnectTimeout()
    {
        await using var server = await StartAsync();
        await using var idle = await RawSocketIOClient.ConnectAsync(server.Url);

        Assert.True(await idle.WaitForCloseAsync(TimeSpan.FromSeconds(15)));
        Assert.True(await server.Logs.WaitForAsync(LogLevel.Information, "joined no namespace within the connect timeout", TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task ClientThatStopsReadingIsDisconnectedOnceItsQueueIsFull()
    {
        await using var server = await StartAsync();
        await using var healthy = await RawSocketIOClient.ConnectSocketIOAsync(server.Url);
        await using var slow = await RawSocketIOClient.ConnectSocketIOAsync(server.Url);
        var io = server.Services.GetRequiredService<SocketIOServer>();
        Assert.Equal(2, io.Of("/").LocalSocketCount);

        // Asks for 4000 x 32 KiB (125 MiB) and never reads: the 256 KiB queue bound must cut it off.
        await slow.SendTextAsync("42[\"flood-me\"]");

        Assert.True(await server.Logs.WaitForAsync(LogLevel.Warning, "bytes waiting to be sent (the client stopped reading)", TimeSpan.FromSeconds(10)));
        Assert.True(await server.Logs.WaitForAsync(LogLevel.Debug, "left namespace '/': send buffer full", TimeSpan.FromSeconds(15)));
        Assert.Equal(1, io.Of("/").LocalSocketCount);
        await AssertHealthyAsync(healthy, 1);
    }

    [Fact]
    public async Task AFailedEventWithSeveralArgumentsAndBinaryGetsItsCauseWithoutTheBytes()
    {
        await using var server = await StartAsync();
        await using var client = await RawSocketIOClient.ConnectSocketIOAsync(server.Url);

        await client.SendTextAsync("451-[\"fail\",\"a\",{\"_placeholder\":true,\"num\":0}]");
        await client.SendBinaryAsync([1, 2]);

        Assert.Equal("""42["exception",{"status":"error","message":"failed","cause":{"pattern":"fail","data":["a",null]}}]""",
            await client.ReceiveTextAsync());
        await AssertHealthyAsync(client, 1);
    }

    private static async Task<string> OpenPollingSessionAsync(HttpClient http)
    {
        var open = await http.GetStringAsync("/socket.io/?EIO=4&transport=polling");
        Assert.StartsWith("0{", open);
        return JsonElement.Parse(open.AsSpan(1).ToString()).GetProperty("sid").GetString()!;
    }
}
