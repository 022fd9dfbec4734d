using System.Diagnostics.Metrics;
using Gateways.Adapters.Redis;
using Gateways.Hosting;
using Gateways.Tests.Infrastructure;
using Gateways.Tests.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateways.Tests.Hardening;

/// <summary>What can never be delivered is refused at the sender, not by cutting off its recipients; and every
/// server-to-client acknowledgement that is awaited is cleared on every way out.</summary>
public sealed class OutgoingLimitTests
{
    private const int QueueLimit = 256 * 1024;

    /// <summary>Counts <c>gateways.messages.dropped</c> while alive.</summary>
    private sealed class DropCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public DropCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Gateways" && instrument.Name == "gateways.messages.dropped")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }

    [Fact]
    public async Task AnOversizedBroadcastIsRefusedAtTheSenderAndEveryRecipientStays()
    {
        using var drops = new DropCounter();
        await using var server = await HardeningServer.StartAsync(options => options.EngineIO.MaxBufferedBytes = QueueLimit);
        var clients = new List<RawSocketIOClient>();
        for (var i = 0; i < 5; i++)
        {
            clients.Add((await HardeningServer.ConnectAsync(server.Url, TestTokens.Create($"u{i}"))).Client);
        }
        var broadcaster = server.Services.GetRequiredService<IGatewayBroadcaster>().Of(HardeningServer.Namespace);
        var (sender, senderAnswer) = await HardeningServer.ConnectAsync(server.Url, TestTokens.Create("u9"));
        await using var _ = sender;
        var socket = HardeningServer.FindSocket(server, HardeningServer.SocketId(senderAnswer));
        var big = new string('x', QueueLimit + 1);

        var refused = Assert.Throws<OutgoingMessageTooLargeException>(() => broadcaster.Broadcast("big", big));
        Assert.Throws<OutgoingMessageTooLargeException>(() => broadcaster.ToRoom("u1").Emit("big", big));
        Assert.Throws<OutgoingMessageTooLargeException>(() => socket.Emit("big", big));
        await Assert.ThrowsAsync<OutgoingMessageTooLargeException>(() => socket.EmitWithAckAsync("big", TimeSpan.FromSeconds(5), big));
        broadcaster.Broadcast("small", "hi");

        Assert.Equal("big", refused.EventName);
        Assert.Contains("MaxBufferedBytes", refused.Message);
        Assert.Equal(0, socket.PendingAckCount);
        Assert.True(drops.Count >= 4, $"{drops.Count} drops counted");
        foreach (var client in clients)
        {
            Assert.Equal("""42/hardening,["small","hi"]""", await client.ReceiveTextAsync());
            Assert.Equal(System.Net.WebSockets.WebSocketState.Open, client.State);
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task AnOversizedBroadcastFromARedisPeerIsDroppedWithoutCuttingOffAnyone()
    {
        using var drops = new DropCounter();
        var key = $"gw-{Guid.NewGuid():N}";
        void Redis(IGatewaysBuilder gateways) => gateways.AddRedisAdapter(options =>
        {
            options.Configuration = RedisServer.Configuration;
            options.Key = key;
        });
        // The peer allows 8 MB per client; this server 256 KB.
        await using var peer = await HardeningServer.StartAsync(options => options.EngineIO.MaxBufferedBytes = 8 * 1024 * 1024, Redis);
        await using var server = await HardeningServer.StartAsync(options => options.EngineIO.MaxBufferedBytes = QueueLimit, Redis);
        var (near, _) = await HardeningServer.ConnectAsync(peer.Url, TestTokens.Create("near"));
        var (far1, _) = await HardeningServer.ConnectAsync(server.Url, TestTokens.Create("far1"));
        var (far2, _) = await HardeningServer.ConnectAsync(server.Url, TestTokens.Create("far2"));
        await using var a = near;
        await using var b = far1;
        await using var c = far2;
        var broadcaster = peer.Services.GetRequiredService<IGatewayBroadcaster>().Of(HardeningServer.Namespace);

        broadcaster.Broadcast("big", new string('x', 1_000_000));
        Assert.True(await server.Logs.WaitForAsync(LogLevel.Warning, "Dropped a broadcast of", TimeSpan.FromSeconds(10)));
        broadcaster.Broadcast("small", "after");

        Assert.StartsWith("""42/hardening,["big",""", await near.ReceiveTextAsync());
        Assert.Equal("""42/hardening,["small","after"]""", await near.ReceiveTextAsync());
        foreach (var far in new[] { far1, far2 })
        {
            Assert.Equal("""42/hardening,["small","after"]""", await far.ReceiveTextAsync());
            Assert.Equal(System.Net.WebSockets.WebSocketState.Open, far.State);
        }
        Assert.True(drops.Count >= 1);
    }

    [Fact]
    public async Task EveryAwaitedAcknowledgementIsClearedWhateverTheTimeout()
    {
        await using var server = await HardeningServer.StartAsync();
        var (client, answer) = await HardeningServer.ConnectAsync(server.Url, TestTokens.Create("u1"));
        await using var _ = client;
        var socket = HardeningServer.FindSocket(server, HardeningServer.SocketId(answer));

        // Timeouts past the ~49.7 days a timer takes are clamped, not thrown; the answer still arrives.
        foreach (var timeout in new[] { TimeSpan.FromDays(60), TimeSpan.MaxValue, Timeout.InfiniteTimeSpan })
        {
            var asked = socket.EmitWithAckAsync("question", timeout, "?");
            var frame = await client.ReceiveTextAsync() ?? "";
            Assert.Matches("""^42/hardening,\d+\["question","\?"\]$""", frame);
            var ackId = frame["42/hardening,".Length..frame.IndexOf('[')];
            await client.SendTextAsync($"43/hardening,{ackId}[\"yes\"]");
            Assert.Equal("yes", (await asked).Get<string>(0));
            Assert.Equal(0, socket.PendingAckCount);
        }

        // Timed out: cleared.
        await Assert.ThrowsAsync<TimeoutException>(() => socket.EmitWithAckAsync("question", TimeSpan.FromMilliseconds(50), "?"));
        Assert.Equal(0, socket.PendingAckCount);

        // Pending when the socket leaves: cancelled and cleared.
        var pending = socket.EmitWithAckAsync("question", TimeSpan.FromDays(1), "?");
        Assert.Equal(1, socket.PendingAckCount);
        await client.SendTextAsync($"41{HardeningServer.Namespace},");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.Equal(0, socket.PendingAckCount);
    }

    [Theory]
    [InlineData("""{"flags":{"timeout":1e300}}""", 4294967294.0)]
    [InlineData("""{"flags":{"timeout":-5}}""", 0.0)]
    [InlineData("""{"flags":{"timeout":1500}}""", 1500.0)]
    public void ARedisPeersAckTimeoutIsClampedToWhatATimerTakes(string options, double expectedMilliseconds)
    {
        var timeout = RedisWire.ReadTimeout(System.Text.Json.JsonElement.Parse(options));

        Assert.Equal(expectedMilliseconds, timeout!.Value.TotalMilliseconds);
    }
}
