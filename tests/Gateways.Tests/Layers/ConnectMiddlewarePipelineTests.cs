using System.Text.Json;
using Gateways.Namespaces;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Tests.Layers;

/// <summary>A namespace's connect middlewares alone, without a server or a client: every way they can end.</summary>
public sealed class ConnectMiddlewarePipelineTests
{
    private sealed class Scoped : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    private static readonly IServiceProvider Services = new ServiceCollection().AddScoped<Scoped>().BuildServiceProvider();

    private static ValueTask<ConnectDecision> RunAsync(params GatewayConnectionMiddleware[] middlewares) =>
        ConnectMiddlewarePipeline.RunAsync(middlewares, new SocketDouble("socket-1"), Services);

    [Fact]
    public async Task MiddlewaresRunInOrderInOneScopeThatEndsWithThem()
    {
        var order = new List<string>();
        var scoped = new List<Scoped>();
        var decision = await RunAsync(
            async (context, next) => { order.Add("first"); scoped.Add(context.Services.GetRequiredService<Scoped>()); await next(); order.Add("first after"); },
            async (context, next) => { order.Add($"second sees {context.Socket.Id}"); scoped.Add(context.Services.GetRequiredService<Scoped>()); await next(); });

        Assert.Equal(ConnectDecision.Admit, decision);
        Assert.Equal(["first", "second sees socket-1", "first after"], order);
        Assert.Same(scoped[0], scoped[1]);
        Assert.True(scoped[0].Disposed);
    }

    [Fact]
    public async Task ARefusalCarriesItsMessageAndDataAndStopsThoseAfter()
    {
        var reachedSecond = false;
        var data = JsonSerializer.SerializeToElement(new { retryAfter = 5 });
        var decision = await RunAsync(
            (_, _) => throw new ConnectionRefusedException("Unauthorized", data),
            (_, next) => { reachedSecond = true; return next(); });

        Assert.False(decision.Admitted);
        Assert.Equal("Unauthorized", decision.Message);
        Assert.Equal(5, decision.Data!.Value.GetProperty("retryAfter").GetInt32());
        Assert.Null(decision.Failure);
        Assert.False(reachedSecond);
    }

    [Fact]
    public async Task AFailingMiddlewareRefusesWithoutItsDetailsAndHandsBackTheException()
    {
        var decision = await RunAsync((_, _) => throw new InvalidOperationException("database down: secret connection string"));

        Assert.False(decision.Admitted);
        Assert.Equal("Internal server error", decision.Message);
        Assert.IsType<InvalidOperationException>(decision.Failure);
    }

    [Fact]
    public async Task AMiddlewareThatNeverCallsNextRefusesRatherThanLeavingTheClientWaiting()
    {
        var decision = await RunAsync((_, next) => next(), (_, _) => ValueTask.CompletedTask);

        Assert.Equal(new ConnectDecision(false, "Connection refused"), decision);
    }

    [Fact]
    public async Task NoMiddlewaresAdmitAtOnce() => Assert.Equal(ConnectDecision.Admit, await RunAsync());
}
