using System.Text.Json;
using Gateways.Tests.Infrastructure;
using Gateways.Tests.Interop;

namespace Gateways.Tests.Recovery;

/// <summary>Connection state recovery end to end: the unmodified socket.io-client 4.8 gets its socket back after its
/// transport drops — same id, rooms, and every event it missed, with the offset socket.io appends — and raw clients
/// show what is not recovered: a socket the server disconnected, a session past its window (of which the app hears
/// once).</summary>
public sealed class ConnectionStateRecoveryTests
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<ExpiredSession> _expired = new();

    private Task<TestGatewayServer> StartAsync(TimeSpan? window = null) => TestGatewayServer.StartAsync(gateways =>
    {
        InteropServer.Configure(gateways);
        gateways.AddNamespace("/", ns => ns
            .OnConnection(socket => socket.Emit("welcome", socket.Recovered))
            .OnSessionExpired((session, _) =>
            {
                _expired.Enqueue(session);
                return ValueTask.CompletedTask;
            })
            .On("leave-me", context => context.Socket.Disconnect()));
    }, options =>
    {
        options.ConnectionStateRecovery.Enabled = true;
        options.ConnectionStateRecovery.MaxDisconnectionDuration = window ?? TimeSpan.FromMinutes(2);
    });

    [Fact]
    public async Task TheUnmodifiedClientGetsItsSocketItsRoomsAndWhatItMissedBack()
    {
        await using var server = await StartAsync();

        var r = await NodeScenario.RunAsync("recovery", server.Url, timeout: TimeSpan.FromSeconds(30));

        var first = r.GetProperty("first");
        var second = r.GetProperty("second");
        Assert.False(first.GetProperty("recovered").GetBoolean());
        Assert.True(second.GetProperty("recovered").GetBoolean());
        Assert.Equal(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
        var heard = r.GetProperty("heard").EnumerateArray().Select(args => args.EnumerateArray().ToArray()).ToArray();
        Assert.Equal(["live", "missed 1", "missed direct", "missed 2", "after"], heard.Select(args => args[0].GetString()));
        // socket.io's offset rides as the last argument; each event has its own.
        Assert.All(heard, args => Assert.Equal(JsonValueKind.String, Assert.IsType<JsonElement>(args[^1]).ValueKind));
        Assert.Equal(heard.Length, heard.Select(args => args[^1].GetString()).Distinct().Count());
        Assert.Equal([false, true], r.GetProperty("welcomes").EnumerateArray().Select(w => w.GetBoolean()));
        Assert.True(await server.Logs.WaitForAsync(Microsoft.Extensions.Logging.LogLevel.Debug, "was recovered with 3 missed events",
            TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task ASocketTheServerDisconnectedOrOnePastTheWindowStartsAfreshAndTheAppHearsOfTheExpiryOnce()
    {
        await using var server = await StartAsync(window: TimeSpan.FromMilliseconds(300));

        // Disconnected on purpose by the server: its session ends there.
        var (kicked, kickedIds) = await ConnectAsync(server);
        await using var _ = kicked;
        await kicked.SendTextAsync("42[\"leave-me\"]");
        Assert.StartsWith("41", await NextAsync(kicked, "41"));
        var (again, againIds) = await ConnectAsync(server, $$"""{"pid":"{{kickedIds.Pid}}"}""");
        await using var __ = again;
        Assert.NotEqual(kickedIds.Sid, againIds.Sid);

        // Lost, and back too late.
        var (lost, lostIds) = await ConnectAsync(server);
        await lost.DisposeAsync(); // no close handshake: the server sees the transport go
        await Task.Delay(700);
        var (late, lateIds) = await ConnectAsync(server, $$"""{"pid":"{{lostIds.Pid}}"}""");
        await using var ___ = late;
        Assert.NotEqual(lostIds.Sid, lateIds.Sid);

        // In time, it is the same socket.
        var (dropped, droppedIds) = await ConnectAsync(server);
        await dropped.DisposeAsync();
        await Task.Delay(100);
        var (back, backIds) = await ConnectAsync(server, $$"""{"pid":"{{droppedIds.Pid}}"}""");
        await using var ____ = back;
        Assert.Equal(droppedIds, backIds);

        // The app heard of the one session that ended without recovery, once (later sweeps add nothing).
        await Task.Delay(700);
        var expired = Assert.Single(_expired);
        Assert.Equal(lostIds.Sid, expired.SocketId);
        Assert.Contains(lostIds.Sid, expired.Rooms);
    }

    private sealed record Ids(string Sid, string Pid);

    /// <summary>A raw client on "/": its CONNECT answer's sid and pid.</summary>
    private static async Task<(RawSocketIOClient Client, Ids Ids)> ConnectAsync(TestGatewayServer server, string? auth = null)
    {
        var client = await RawSocketIOClient.ConnectAsync(server.Url);
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
