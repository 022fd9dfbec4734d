using System.Collections.Concurrent;
using System.Text.Json;
using Gateways.Hosting;
using Gateways.Tests.Infrastructure;

namespace Gateways.Tests.Recovery;

/// <summary>With sessions in Redis (the streams adapter), the app hears of a session that expired without recovery
/// exactly once across the cluster — whichever server sweeps first — and never of one its client took back on another
/// server.</summary>
public sealed class ClusterSessionExpiryTests
{
    private readonly ConcurrentQueue<(string Server, ExpiredSession Session)> _expired = new();

    [Fact]
    public async Task AnExpiredSessionIsReportedOnceAcrossTheClusterAndARecoveredOneNever()
    {
        var key = $"gw-{Guid.NewGuid():N}";
        var window = TimeSpan.FromSeconds(1);
        await using var first = await RecoveryServers.StartAsync("dotnet", key, window, Hook("first"));
        await using var second = await RecoveryServers.StartAsync("dotnet", key, window, Hook("second"));

        // Lost on the first server, never back.
        var (lost, lostIds) = await ConnectAsync(first.Url);
        await lost.SendTextAsync("421[\"join\",\"lobby\"]");
        Assert.StartsWith("431", await NextAsync(lost, "431"));
        await lost.DisposeAsync(); // no close handshake: the server sees the transport go
        // Lost on the first server too, and back on the second within the window.
        var (dropped, droppedIds) = await ConnectAsync(first.Url);
        await dropped.DisposeAsync();
        await Task.Delay(200);
        var (back, backIds) = await ConnectAsync(second.Url, $$"""{"pid":"{{droppedIds.Pid}}"}""");
        await using var _ = back;
        Assert.Equal(droppedIds.Sid, backIds.Sid);

        // Two sweep periods past the window, and a little more: both servers have swept at least twice.
        await Task.Delay(window * 4);
        var (server, session) = Assert.Single(_expired);
        Assert.Contains(server, new[] { "first", "second" });
        Assert.Equal(lostIds.Sid, session.SocketId);
        Assert.Equal("/", session.Namespace);
        Assert.Contains("lobby", session.Rooms);
    }

    private Action<IGatewaysBuilder> Hook(string server) => gateways =>
        gateways.AddNamespace("/", ns => ns.OnSessionExpired((session, _) =>
        {
            _expired.Enqueue((server, session));
            return ValueTask.CompletedTask;
        }));

    private sealed record Ids(string Sid, string Pid);

    private static async Task<(RawSocketIOClient Client, Ids Ids)> ConnectAsync(string url, string? auth = null)
    {
        var client = await RawSocketIOClient.ConnectAsync(url);
        await client.SendTextAsync("40" + auth);
        var answer = JsonElement.Parse((await NextAsync(client, "40"))[2..]);
        return (client, new Ids(answer.GetProperty("sid").GetString()!, answer.GetProperty("pid").GetString()!));
    }

    private static async Task<string> NextAsync(RawSocketIOClient client, string prefix)
    {
        while (true)
        {
            var frame = await client.ReceiveTextAsync() ?? throw new InvalidOperationException($"closed before a '{prefix}' frame");
            if (frame.StartsWith(prefix, StringComparison.Ordinal))
            {
                return frame;
            }
        }
    }
}
