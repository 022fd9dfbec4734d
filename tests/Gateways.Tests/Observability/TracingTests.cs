using System.Collections.Concurrent;
using System.Diagnostics;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Tests.Observability;

/// <summary>The <c>Gateways</c> ActivitySource, read with an ActivityListener as OpenTelemetry's tracer would.</summary>
[Collection(MetricsCollection.Name)]
public sealed partial class TracingTests : IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public TracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Gateways",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task EachHandledEventIsASpanWithItsOutcomeAndABroadcastInsideItIsItsChild()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways => gateways.AddGateway<MetricsGateway>());
        var options = new GatewayTestClientOptions { Namespace = "/metrics" };
        await using var client = await GatewayTestClient.ConnectAsync(new Uri(server.Url), options);
        await using var other = await GatewayTestClient.ConnectAsync(new Uri(server.Url), options);

        Assert.Equal("ok", await client.EmitWithAckAsync<string>("ok"));
        await client.EmitAsync("crash");
        await client.WaitForAsync("exception");
        await client.EmitAsync("shout");
        await other.WaitForAsync("shout");
        await client.EmitAsync("no-such-event");
        await WaitUntilAsync(() => Spans(client.Id).Count() >= 3);

        var spans = Spans(client.Id).ToDictionary(a => a.DisplayName);
        Assert.Equal(["/metrics crash", "/metrics ok", "/metrics shout"], spans.Keys.Order());
        var ok = spans["/metrics ok"];
        Assert.Equal(ActivityKind.Server, ok.Kind);
        Assert.Equal(ActivityStatusCode.Unset, ok.Status);
        Assert.Equal(true, ok.GetTagItem("gateways.ack"));
        Assert.Equal("ok", ok.GetTagItem("gateways.event"));
        Assert.Null(ok.Parent); // a trace per event, not one per WebSocket request
        var crash = spans["/metrics crash"];
        Assert.Equal(ActivityStatusCode.Error, crash.Status);
        Assert.Equal("System.InvalidOperationException", crash.GetTagItem("error.type"));
        Assert.Equal(false, crash.GetTagItem("gateways.ack"));
        var shout = spans["/metrics shout"];
        var broadcast = Assert.Single(_stopped, a => a.DisplayName == "/metrics broadcast" && a.ParentSpanId == shout.SpanId);
        Assert.Equal(ActivityKind.Producer, broadcast.Kind);
        Assert.Equal(shout.TraceId, broadcast.TraceId);
        Assert.Equal("shout", broadcast.GetTagItem("gateways.event"));
    }

    private IEnumerable<Activity> Spans(string socketId) =>
        _stopped.Where(a => a.Kind == ActivityKind.Server && Equals(a.GetTagItem("gateways.socket.id"), socketId));

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }
}
