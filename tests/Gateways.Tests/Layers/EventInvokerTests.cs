using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Tests.Layers;

/// <summary>The event invoker behind one connection, without a transport: its scheduling (handlers run beside the read
/// loop up to a limit, then the read loop waits), its rate budget (one per connection, across namespaces) and its input
/// limits — each refusal answered to that connection only.</summary>
public sealed class EventInvokerTests
{
    /// <summary>Handlers that hold until released, and count how many started.</summary>
    private sealed class Holds
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _started;

        public int Started => Volatile.Read(ref _started);

        public async ValueTask HoldAsync(GatewayEventContext context)
        {
            Interlocked.Increment(ref _started);
            await _release.Task;
            context.Ack("released");
        }

        public void ReleaseAll() => _release.TrySetResult();
    }

    private static async Task<InProcessConnection> ConnectAsync(Action<Hosting.GatewaysOptions> options, Holds? holds = null)
    {
        holds ??= new Holds();
        var connection = new InProcessConnection(gateways =>
        {
            gateways.AddNamespace("/", ns => ns
                .On("hold", holds.HoldAsync)
                .On("fail", _ => throw new InvalidOperationException("handler failed"))
                .On("echo", context => context.Ack(context.Arguments.ToArray())));
            gateways.AddNamespace("/other", ns => ns.On("echo", context => context.Ack(context.Arguments.ToArray())));
        }, options);
        Assert.True(await connection.ReceiveAsync("40"));
        Assert.True(await connection.ReceiveAsync("40/other,"));
        return connection;
    }

    [Fact]
    public async Task HandlersRunBesideTheReadLoopUpToTheLimitThenTheReadLoopWaits()
    {
        var holds = new Holds();
        await using var connection = await ConnectAsync(o => o.MaxConcurrentEventsPerConnection = 2, holds);

        var first = connection.ReceiveAsync("421[\"hold\"]");
        var second = connection.ReceiveAsync("422[\"hold\"]");
        var third = connection.ReceiveAsync("423[\"hold\"]");

        Assert.True(first.IsCompleted && second.IsCompleted, "the first two events must not hold the read loop");
        Assert.False(third.IsCompleted, "the third event must wait for a slot");
        Assert.Equal(2, holds.Started);
        holds.ReleaseAll();
        Assert.True(await third);
        await WaitUntilAsync(() => connection.Written("3").Length == 3);
        Assert.Equal(["31[\"released\"]", "32[\"released\"]", "33[\"released\"]"], connection.Written("3").Order());
    }

    [Fact]
    public async Task AFailingHandlerGivesItsSlotBack()
    {
        await using var connection = await ConnectAsync(o => o.MaxConcurrentEventsPerConnection = 1);

        Assert.True(await connection.ReceiveAsync("421[\"fail\"]"));
        Assert.True(await connection.ReceiveAsync("422[\"echo\",\"still here\"]"));

        await WaitUntilAsync(() => connection.Written("32").Length == 1);
        Assert.Equal(["32[\"still here\"]"], connection.Written("32"));
        Assert.Contains(connection.Written("2"), f => f.StartsWith("2[\"exception\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OneRateBudgetCoversEveryNamespaceOfTheConnection()
    {
        // The two CONNECTs took 2 of the burst of 5; three events are left, whichever namespace they go to.
        await using var connection = await ConnectAsync(o => (o.RateLimit.PermitsPerSecond, o.RateLimit.Burst) = (1, 5));

        foreach (var frame in new[] { "421[\"echo\",1]", "42/other,2[\"echo\",2]", "423[\"echo\",3]", "42/other,4[\"echo\",4]" })
        {
            Assert.True(await connection.ReceiveAsync(frame));
        }

        await WaitUntilAsync(() => connection.Written("3").Length >= 3);
        Assert.Equal(["31[1]", "3/other,2[2]", "33[3]"], connection.Written("3"));
        Assert.Contains("Too many requests", Assert.Single(connection.Written("2/other,[\"exception\"")));
        connection.Clock.Advance(TimeSpan.FromSeconds(1)); // one permit back
        Assert.True(await connection.ReceiveAsync("425[\"echo\",5]"));
        await WaitUntilAsync(() => connection.Written("35").Length == 1);
    }

    [Fact]
    public async Task InputLimitsAreRefusedBeforeAnyHandlerRuns()
    {
        var holds = new Holds();
        await using var connection = await ConnectAsync(o =>
        {
            o.MaxArguments = 2;
            o.MaxJsonDepth = 3;
        }, holds);

        Assert.True(await connection.ReceiveAsync("42[\"hold\",1,2,3]"));
        Assert.True(await connection.ReceiveAsync("42[\"hold\",[[[1]]]]"));
        Assert.True(await connection.ReceiveAsync("42[\"nobody-handles-this\"]"));

        Assert.Equal(0, holds.Started);
        var refusals = connection.Written("2[\"exception\"");
        Assert.Equal(2, refusals.Length);
        Assert.Contains(global::Gateways.Security.EventLimits.TooManyArguments, refusals[0]);
        Assert.Contains(global::Gateways.Security.EventLimits.TooDeep, refusals[1]);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }
        Assert.True(condition(), "the expected frames were not written in time");
    }
}
