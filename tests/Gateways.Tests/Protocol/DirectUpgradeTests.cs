using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateways.Tests.Infrastructure;
using Gateways.Tests.Interop;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateways.Tests.Protocol;

/// <summary><c>UseGatewaysWebSockets()</c> at the edges: what it refuses, what it leaves to Kestrel, and how long a
/// head may take; raw bytes on a real socket, since the point is what goes over the wire.</summary>
public sealed class DirectUpgradeTests
{
    private const string Upgrade = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

    [Fact]
    public async Task AnUpgradeIsAnsweredWith101AndTheEngineIOOpenPacket()
    {
        await using var server = await InteropServer.StartAsync(directWebSockets: true);

        var answer = await ExchangeAsync(server.Port, Upgrade + "\r\n", untilClosed: false);

        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", answer);
        Assert.Contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", answer); // RFC 6455's own example
        Assert.Contains("0{\"sid\":\"", answer); // the open packet, in the first text frame
    }

    [Fact]
    public async Task ARefusedUpgradeGetsTheSameAnswerOnBothPaths()
    {
        static void OnlyOneOrigin(global::Gateways.Hosting.GatewaysOptions options) => options.EngineIO.AllowedOrigins.Add("https://app.example");
        var request = Upgrade + "Origin: https://evil.example\r\n\r\n";
        await using var viaKestrel = await InteropServer.StartAsync(options: OnlyOneOrigin);
        await using var direct = await InteropServer.StartAsync(options: OnlyOneOrigin, directWebSockets: true);

        var expected = await ExchangeAsync(viaKestrel.Port, request, untilClosed: false);
        var answer = await ExchangeAsync(direct.Port, request, untilClosed: false);

        Assert.StartsWith("HTTP/1.1 403 Forbidden\r\n", expected);
        Assert.StartsWith("HTTP/1.1 403 Forbidden\r\n", answer);
        Assert.Equal(Body(expected), Body(answer));
        Assert.Contains("\"message\":\"Forbidden\"", Body(answer));
    }

    [Fact]
    public async Task EverythingButAPlainUpgradeIsServedByKestrelOnTheSameConnection()
    {
        await using var server = await InteropServer.StartAsync(directWebSockets: true);

        // Polling, then a second request on the same kept-alive connection, then a path that does not exist.
        var polling = "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        var missing = "GET /nothing-here HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        var answers = await ExchangeAsync(server.Port, polling + missing, untilClosed: true);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", answers);
        Assert.Contains("0{\"sid\":\"", answers);
        Assert.Contains("HTTP/1.1 404 Not Found\r\n", answers);

        // A malformed upgrade (a space before a colon) gets Kestrel's 400, as without the direct path.
        var malformed = Upgrade.Replace("Upgrade: websocket", "Upgrade : websocket", StringComparison.Ordinal) + "\r\n";
        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", await ExchangeAsync(server.Port, malformed, untilClosed: false));
        // So does an upgrade with a Content-Length Kestrel cannot read.
        var badLength = Upgrade + "Content-Length: many\r\n\r\n";
        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", await ExchangeAsync(server.Port, badLength, untilClosed: false));
    }

    [Fact]
    public async Task AHeadThatNeverEndsIsClosedAfterKestrelsHeadersTimeout()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways =>
        {
            InteropServer.Configure(gateways);
            gateways.Services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(1));
        }, directWebSockets: true);

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(Upgrade)); // no blank line: the head never ends
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var answer = new MemoryStream();
        var buffer = new byte[256];
        for (int read; (read = await stream.ReadAsync(buffer, deadline.Token)) > 0;)
        {
            answer.Write(buffer, 0, read);
        }

        // Answered and closed by the server, as Kestrel does, well before the test's own deadline.
        Assert.StartsWith("HTTP/1.1 408 Request Timeout\r\n", Encoding.Latin1.GetString(answer.ToArray()));
    }

    [Fact]
    public async Task ClientsThatResetMidHeadOrMidSocketLeaveNoErrorInTheLog()
    {
        await using var server = await InteropServer.StartAsync(directWebSockets: true);

        for (var i = 0; i < 5; i++)
        {
            await ResetAfterAsync(server.Port, Upgrade); // mid-head
            await ResetAfterAsync(server.Port, Upgrade + "\r\n"); // right after the 101, mid-socket
        }
        // The server still serves, and nothing of the resets reached the log above Information.
        Assert.StartsWith("HTTP/1.1 101 ", await ExchangeAsync(server.Port, Upgrade + "\r\n", untilClosed: false));
        await Task.Delay(200);
        Assert.DoesNotContain(server.Logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    private static async Task ResetAfterAsync(int port, string request)
    {
        using var client = new TcpClient { LingerState = new LingerOption(true, 0) }; // close = RST
        await client.ConnectAsync(IPAddress.Loopback, port);
        await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(request));
        await Task.Delay(50);
    }

    [Fact]
    public async Task AnEndpointWithAConventionOnlyHttpEnforcesKeepsTheDirectPathOff()
    {
        var logs = new CapturingLoggerProvider();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseGatewaysWebSockets()));
        InteropServer.Configure(builder.Services.AddGateways());
        await using var app = builder.Build();
        app.MapGateways().RequireHost("chat.example");
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;

        // The host does not match: routing finds no endpoint, as it would without UseGatewaysWebSockets().
        var answer = await ExchangeAsync(port, Upgrade + "\r\n", untilClosed: false);

        Assert.StartsWith("HTTP/1.1 404 Not Found\r\n", answer);
        Assert.True(logs.Contains(LogLevel.Error, "UseGatewaysWebSockets() is off"), "the log does not say why the direct path is off");
        await app.StopAsync();
    }

    [Fact]
    public async Task WithKestrelsUpgradedConnectionsLimitSetTheDirectPathStaysOffAndTheLimitHolds()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways =>
        {
            InteropServer.Configure(gateways);
            gateways.Services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxConcurrentUpgradedConnections = 1);
        }, directWebSockets: true);

        using var first = new TcpClient();
        await first.ConnectAsync(IPAddress.Loopback, server.Port);
        await first.GetStream().WriteAsync(Encoding.ASCII.GetBytes(Upgrade + "\r\n"));
        var firstAnswer = new byte[512];
        Assert.StartsWith("HTTP/1.1 101 ", Encoding.Latin1.GetString(firstAnswer, 0, await first.GetStream().ReadAsync(firstAnswer)));

        // The second upgrade, while the first is open, is refused by Kestrel's limit: it did reach Kestrel.
        var second = await ExchangeAsync(server.Port, Upgrade + "\r\n", untilClosed: false);
        Assert.DoesNotContain("101 Switching Protocols", second);
        Assert.True(server.Logs.Contains(LogLevel.Error, "MaxConcurrentUpgradedConnections"), "the log does not say why the direct path is off");
    }

    /// <summary>Sends <paramref name="request"/> and reads the answers: until the server closes, or (when not
    /// <paramref name="untilClosed"/>) until a response is complete — its head and Content-Length bytes, or a 101's
    /// head and the first frame after it.</summary>
    private static async Task<string> ExchangeAsync(int port, string request, bool untilClosed)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        while (untilClosed || !IsComplete(Encoding.Latin1.GetString(received.ToArray())))
        {
            var read = await stream.ReadAsync(buffer, deadline.Token);
            if (read == 0)
            {
                break;
            }
            received.Write(buffer, 0, read);
        }
        return Encoding.Latin1.GetString(received.ToArray());
    }

    private static bool IsComplete(string text)
    {
        var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (headEnd < 0)
        {
            return false;
        }
        if (text.StartsWith("HTTP/1.1 101 ", StringComparison.Ordinal))
        {
            return text.Contains("\"sid\"", StringComparison.Ordinal);
        }
        if (text[..headEnd].Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            return text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal);
        }
        var length = System.Text.RegularExpressions.Regex.Match(text[..headEnd], "Content-Length: (\\d+)", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        return length.Success && text.Length - headEnd - 4 >= int.Parse(length.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The body of one response, its chunks joined when it was sent chunked.</summary>
    private static string Body(string response)
    {
        var headEnd = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var body = response[(headEnd + 4)..];
        if (!response[..headEnd].Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            return body;
        }
        var joined = new StringBuilder();
        for (var at = 0; ;)
        {
            var lineEnd = body.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(body[at..lineEnd], 16);
            if (size == 0)
            {
                return joined.ToString();
            }
            joined.Append(body, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }
}
