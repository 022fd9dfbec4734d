using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Gateways.Hosting;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Tests.Observability;

/// <summary>Tests that read the process-wide meter run alone, so no other test's server adds to what they count.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "Metrics";
}

/// <summary>The <c>Gateways</c> meter, read with a MeterListener as OpenTelemetry or dotnet-counters would.</summary>
[Collection(MetricsCollection.Name)]
public sealed class MetricsTests
{
    private sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();

        public Recorder()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Gateways")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
            _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Add(i, v, t));
            _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
            _listener.Start();
        }

        public ConcurrentQueue<Measurement> All { get; } = new();

        public IEnumerable<Measurement> Of(string instrument, string? @namespace = null) => All.Where(m => m.Instrument == instrument
            && (@namespace is null || Equals(m.Tags.GetValueOrDefault("gateways.namespace"), @namespace)));

        public void Dispose() => _listener.Dispose();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }
            All.Enqueue(new Measurement(instrument.Name, value, copy));
        }
    }

    [Fact]
    public async Task ConnectionsSocketsEventsHandlersAndBroadcastsAreMeasured()
    {
        using var recorder = new Recorder();
        await using var server = await TestGatewayServer.StartAsync(gateways => gateways.AddGateway<MetricsGateway>());
        var options = new GatewayTestClientOptions { Namespace = "/metrics" };
        var first = await GatewayTestClient.ConnectAsync(new Uri(server.Url), options);
        await using var second = await GatewayTestClient.ConnectAsync(new Uri(server.Url), options);

        Assert.Equal("ok", await first.EmitWithAckAsync<string>("ok"));
        await first.EmitAsync("crash");
        await first.WaitForAsync("exception");
        await first.EmitAsync("refuse");
        await first.WaitForAsync("exception");
        await first.EmitAsync("no-such-event");
        await first.EmitAsync("shout");
        await second.WaitForAsync("shout");
        await first.DisposeAsync();
        await WaitUntilAsync(() => recorder.Of("gateways.server.active_sockets", "/metrics").Sum(m => m.Value) == 1);
        await WaitUntilAsync(() => recorder.Of("gateways.server.connection.duration").Any());

        Assert.Equal(5, recorder.Of("gateways.server.events.received", "/metrics").Sum(m => m.Value));
        Assert.DoesNotContain(recorder.All, m => m.Tags.ContainsKey("gateways.event"));
        var refused = Assert.Single(recorder.Of("gateways.server.events.refused", "/metrics"));
        Assert.Equal("no_handler", refused.Tags["gateways.reason"]);
        var handlers = recorder.Of("gateways.server.handler.duration", "/metrics").ToList();
        Assert.Equal(4, handlers.Count);
        Assert.Equal(["System.InvalidOperationException", "refused"],
            handlers.Select(h => h.Tags.GetValueOrDefault("error.type") as string).OfType<string>().Order());
        Assert.All(handlers, h => Assert.InRange(h.Value, 0, 30));
        Assert.True(recorder.Of("gateways.server.bytes").Where(m => Equals(m.Tags["network.io.direction"], "receive")).Sum(m => m.Value) > 0);
        Assert.True(recorder.Of("gateways.server.bytes").Where(m => Equals(m.Tags["network.io.direction"], "transmit")).Sum(m => m.Value) > 0);
        // These carry no namespace: a session still closing from an earlier test's server could add to them.
        Assert.Contains(1.0, recorder.Of("gateways.server.broadcast.recipients").Select(m => m.Value));
        var connections = recorder.Of("gateways.server.active_connections").Select(m => m.Value).ToList();
        Assert.True(connections.Count(v => v == 1) >= 2 && connections.Contains(-1), string.Join(",", connections));
        Assert.Contains(recorder.Of("gateways.server.connection.duration"), m => Equals(m.Tags["gateways.close_reason"], "transport close"));
    }

    [Fact]
    public async Task ABroadcastWithAcknowledgementsIsTimedAndATimeoutSaysSo()
    {
        using var recorder = new Recorder();
        await using var server = await TestGatewayServer.StartAsync(gateways => gateways.AddNamespace("/mack", ns => ns
            .On("join", context =>
            {
                context.Socket.Join("askers");
                context.Ack(true);
            })
            .On("ask", async context =>
            {
                var room = context.Services.GetRequiredService<IGatewayBroadcaster>().Of("/mack").ToRoom("askers");
                try
                {
                    context.Ack((await room.EmitWithAckAsync("question", TimeSpan.FromMilliseconds(500))).Count);
                }
                catch (TimeoutException)
                {
                    context.Ack(-1);
                }
            })));
        var options = new GatewayTestClientOptions { Namespace = "/mack" };
        await using var answering = await GatewayTestClient.ConnectAsync(new Uri(server.Url), options);
        answering.On("question", _ => "yes");
        await answering.EmitWithAckAsync<bool>("join");

        Assert.Equal(1, await answering.EmitWithAckAsync<int>("ask"));
        await using var silent = await GatewayTestClient.ConnectAsync(new Uri(server.Url), options);
        await silent.EmitWithAckAsync<bool>("join");
        Assert.Equal(-1, await answering.EmitWithAckAsync<int>("ask"));

        var rounds = recorder.Of("gateways.server.broadcast.ack.duration", "/mack").ToList();
        Assert.Equal(2, rounds.Count);
        Assert.False(rounds[0].Tags.ContainsKey("error.type"));
        Assert.Equal("timeout", rounds[1].Tags["error.type"]);
        Assert.InRange(rounds[1].Value, 0.4, 30);
    }

    [Fact]
    public async Task EventNamesAreAttributesOnlyWhenTheAppOptsInAndOnlyDeclaredOnes()
    {
        using var recorder = new Recorder();
        await using var server = await TestGatewayServer.StartAsync(gateways => gateways.AddGateway<MetricsGateway>(),
            options => options.MetricsIncludeEventName = true);
        await using var client = await GatewayTestClient.ConnectAsync(new Uri(server.Url), new GatewayTestClientOptions { Namespace = "/metrics" });

        await client.EmitWithAckAsync<string>("ok");
        await client.EmitAsync("made-up-1");
        await client.EmitAsync("made-up-2");
        await client.EmitAsync("crash");
        await client.WaitForAsync("exception");
        await WaitUntilAsync(() => recorder.Of("gateways.server.handler.duration", "/metrics").Count() == 2);

        Assert.Equal(["(unknown)", "(unknown)", "crash", "ok"],
            recorder.Of("gateways.server.events.received", "/metrics").Select(m => (string)m.Tags["gateways.event"]!).Order());
        Assert.Equal(["crash", "ok"], recorder.Of("gateways.server.handler.duration", "/metrics").Select(m => (string)m.Tags["gateways.event"]!).Order());
    }

    [Fact]
    public async Task TheRedisAdapterCountsWhatItPublishesAndReceivesAndTimesItsRequests()
    {
        using var recorder = new Recorder();
        var key = $"metrics-{Guid.NewGuid():N}";
        await using var first = await StartWithRedisAsync(key);
        await using var second = await StartWithRedisAsync(key);
        await using var client = await GatewayTestClient.ConnectAsync(new Uri(second.Url));
        var io = first.Services.GetRequiredService<IGatewayBroadcaster>();

        // Broadcasts across servers are at-most-once: send until the other server's client hears one.
        await WaitUntilAsync(() =>
        {
            io.Broadcast("news", "from the first server");
            return client.Events.Any(e => e.Name == "news");
        });
        var fetched = await io.Server.FetchSocketsAsync();

        Assert.Contains(fetched, socket => socket.Id == client.Id);
        Assert.True(recorder.Of("gateways.adapter.messages").Count(m => Equals(m.Tags["network.io.direction"], "transmit")) >= 2);
        Assert.True(recorder.Of("gateways.adapter.messages").Count(m => Equals(m.Tags["network.io.direction"], "receive")) >= 2);
        var request = Assert.Single(recorder.Of("gateways.adapter.request.duration"));
        Assert.Equal("fetchSockets", request.Tags["gateways.adapter.request"]);
        Assert.False(request.Tags.ContainsKey("error.type"));
        Assert.InRange(request.Value, 0, 5);
    }

    private static Task<TestGatewayServer> StartWithRedisAsync(string key) => TestGatewayServer.StartAsync(gateways =>
        gateways.AddRedisAdapter(options =>
        {
            options.Configuration = RedisServer.Configuration;
            options.Key = key;
        }));

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the measurement never arrived");
            await Task.Delay(20);
        }
    }
}
