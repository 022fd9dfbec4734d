using System.Diagnostics;
using Gateways.Tests.Infrastructure;
using Gateways.Tests.Security;
using Microsoft.Extensions.Logging;

namespace Gateways.Tests.Hardening;

/// <summary>Rate limits that hold against a client that reconnects its namespace, opens more connections, or paces its
/// flood just above the limit; and refusals that do not write the log at the attacker's pace.</summary>
public sealed class RateLimitTests
{
    /// <summary>Sends <paramref name="count"/> echo events at once and counts the answers: acks and refusals.</summary>
    private static async Task<(int Acked, int Refused)> BurstAsync(RawSocketIOClient client, int count, int firstAckId)
    {
        for (var i = 0; i < count; i++)
        {
            await client.SendTextAsync($"42{HardeningServer.Namespace},{firstAckId + i}[\"echo\",{i}]");
        }
        var (acked, refused) = (0, 0);
        while (acked + refused < count && await client.TryReceiveTextAsync(TimeSpan.FromSeconds(2)) is { } frame)
        {
            if (frame.StartsWith("43/hardening,", StringComparison.Ordinal))
            {
                acked++;
            }
            else if (frame.Contains("Too many requests", StringComparison.Ordinal))
            {
                refused++;
            }
        }
        return (acked, refused);
    }

    [Fact]
    public async Task ReconnectingTheNamespaceDoesNotRefillTheBudget()
    {
        await using var server = await HardeningServer.StartAsync(options =>
        {
            options.RateLimit.PermitsPerSecond = 10;
            options.RateLimit.Burst = 10;
            options.RateLimit.DisconnectAfterRejections = 0;
            options.MaxRefusedConnects = 0;
        });
        var token = TestTokens.Create("u1");
        var clock = Stopwatch.StartNew();
        var (client, _) = await HardeningServer.ConnectAsync(server.Url, token);
        await using var _ = client;

        var acked = 0;
        for (var round = 0; round < 3; round++)
        {
            acked += (await BurstAsync(client, 20, round * 100)).Acked;
            // Leave and join again on the same connection: socket.io's reconnect loop, in one WebSocket.
            await client.SendTextAsync($"41{HardeningServer.Namespace},");
            await client.SendTextAsync(HardeningServer.ConnectFrame(HardeningServer.Namespace, token));
            var answer = await client.ReceiveTextAsync();
            Assert.True(answer!.StartsWith("40/hardening,", StringComparison.Ordinal) || answer.Contains("Too many requests"), answer);
        }

        // One budget for the whole connection: the burst, what refilled meanwhile, and the CONNECTs took from it.
        var allowed = 10 + (int)Math.Ceiling(clock.Elapsed.TotalSeconds * 10) + 1;
        Assert.InRange(acked, 1, allowed);
    }

    [Fact]
    public async Task APerUserLimitHoldsAcrossConnections()
    {
        await using var server = await HardeningServer.StartAsync(options =>
        {
            options.RateLimit.PerUserEnabled = true;
            options.RateLimit.PerUserBurst = 10;
            options.RateLimit.PerUserPermitsPerSecond = 10;
            options.RateLimit.DisconnectAfterRejections = 0;
        });
        var mallory = TestTokens.Create("mallory");
        var clock = Stopwatch.StartNew();
        var (first, _) = await HardeningServer.ConnectAsync(server.Url, mallory);
        var (second, _) = await HardeningServer.ConnectAsync(server.Url, mallory);
        var (other, _) = await HardeningServer.ConnectAsync(server.Url, TestTokens.Create("alice"));
        await using var a = first;
        await using var b = second;
        await using var c = other;

        var acked = (await BurstAsync(first, 20, 0)).Acked + (await BurstAsync(second, 20, 100)).Acked;
        var allowed = 10 + (int)Math.Ceiling(clock.Elapsed.TotalSeconds * 10);
        var others = await BurstAsync(other, 5, 0);

        Assert.InRange(acked, 1, allowed);
        Assert.Equal((5, 0), others);
    }

    [Fact]
    public async Task AFloodPacedAboveTheLimitIsCutOffAndItsRefusalsStayOutOfTheLog()
    {
        await using var server = await HardeningServer.StartAsync(options =>
        {
            options.RateLimit.PermitsPerSecond = 10;
            options.RateLimit.Burst = 10;
            options.RateLimit.DisconnectAfterRejections = 20;
            options.RateLimit.RejectionWindow = TimeSpan.FromSeconds(10);
        });
        var (flooder, _) = await HardeningServer.ConnectAsync(server.Url, TestTokens.Create("mallory"));
        var (bystander, _) = await HardeningServer.ConnectAsync(server.Url, TestTokens.Create("alice"));
        await using var a = flooder;
        await using var b = bystander;

        // 50 events a second against 10 allowed: every fifth is accepted, so rejections never run 20 in a row.
        var closed = false;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 300 && !closed; i++)
        {
            try
            {
                await flooder.SendTextAsync($"42{HardeningServer.Namespace},[\"echo\",{i}]");
            }
            catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or ObjectDisposedException)
            {
                closed = true;
            }
            await Task.Delay(20);
            closed |= flooder.State != System.Net.WebSockets.WebSocketState.Open;
        }

        Assert.True(closed, $"a paced flood was still served after {clock.Elapsed.TotalSeconds:F1} s");
        Assert.NotNull(await HardeningServer.EchoAsync(bystander, "still served", 1));
        Assert.Single(server.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("kept flooding past its rate limit"));
        Assert.DoesNotContain(server.Logs.Entries, e => e.Level >= LogLevel.Information && e.Message.Contains("over a limit"));
    }
}
