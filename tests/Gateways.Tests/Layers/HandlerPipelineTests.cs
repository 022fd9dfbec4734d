using System.Security.Claims;
using Gateways.Dispatch;
using Gateways.Namespaces;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Tests.Layers;

/// <summary>The handler pipeline alone: what wraps a handler, in which order, and what stops it — built once as at
/// startup, run against a plain context without a server.</summary>
public sealed class HandlerPipelineTests
{
    private sealed class Trail : List<string>;

    private sealed class Context(IServiceProvider services, ClaimsPrincipal? user) : GatewayEventContext
    {
        public override IGatewaySocket Socket { get; } = new SocketDouble("s1") { User = user };
        public override string EventName => "save";
        public override EventArguments Arguments => EventArguments.Empty;
        public override bool HasAck => false;
        public override bool Acknowledged => false;
        public override IServiceProvider Services => services;
        public override bool Ack(params object?[] args) => false;
    }

    private sealed class OuterFilter(Trail trail) : IGatewayFilter
    {
        public async ValueTask InvokeAsync(GatewayEventContext context, GatewayEventHandler next)
        {
            trail.Add("outer filter");
            await next(context);
            trail.Add("outer filter after");
        }
    }

    private sealed class InnerFilter(Trail trail) : IGatewayFilter
    {
        public ValueTask InvokeAsync(GatewayEventContext context, GatewayEventHandler next)
        {
            trail.Add("inner filter");
            return next(context);
        }
    }

    private sealed class OpenGuard(Trail trail) : IWsGuard
    {
        public ValueTask<bool> CanActivateAsync(GatewayEventContext context)
        {
            trail.Add("open guard");
            return ValueTask.FromResult(true);
        }
    }

    private sealed class ClosedGuard(Trail trail) : IWsGuard
    {
        public ValueTask<bool> CanActivateAsync(GatewayEventContext context)
        {
            trail.Add("closed guard");
            return ValueTask.FromResult(false);
        }
    }

    private static readonly ClaimsPrincipal Editor = new(new ClaimsIdentity([new Claim(ClaimTypes.Role, "editor")], "test"));
    private static readonly ClaimsPrincipal Reader = new(new ClaimsIdentity([new Claim(ClaimTypes.Role, "reader")], "test"));

    private static ServiceProvider Services() => new ServiceCollection()
        .AddLogging().AddAuthorization()
        .AddScoped<Trail>().AddScoped<OuterFilter>().AddScoped<InnerFilter>().AddScoped<OpenGuard>().AddScoped<ClosedGuard>()
        .BuildServiceProvider();

    private static GatewayHandlerMetadata Metadata(Type[] guards, string? roles = null, bool allowAnonymous = false) =>
        new(typeof(HandlerPipelineTests), "Save", roles is null ? null : [new GatewayAuthorizeData(null, roles)], allowAnonymous, guards);

    /// <summary>Builds the pipeline as startup does and runs it once in a scope; returns the trail of what ran.</summary>
    private static async Task<(Trail Trail, Exception? Error)> RunAsync(GatewayHandlerMetadata? metadata, Type[] filters, ClaimsPrincipal? user)
    {
        using var services = Services();
        var pipeline = HandlerPipeline.Build("save", context =>
        {
            context.Services.GetRequiredService<Trail>().Add("handler");
            return ValueTask.CompletedTask;
        }, metadata, services, filters);
        await using var scope = services.CreateAsyncScope();
        var trail = scope.ServiceProvider.GetRequiredService<Trail>();
        try
        {
            await pipeline(new Context(scope.ServiceProvider, user));
            return (trail, null);
        }
        catch (Exception ex)
        {
            return (trail, ex);
        }
    }

    [Fact]
    public void AHandlerThatAsksForNothingIsNotWrapped()
    {
        using var services = Services();
        GatewayEventHandler handler = _ => ValueTask.CompletedTask;

        Assert.Same(handler, HandlerPipeline.Build("save", handler, null, services, []));
        Assert.Same(handler, HandlerPipeline.Build("save", handler, Metadata([]), services, []));
    }

    [Fact]
    public async Task GlobalFiltersWrapAuthorizationWhichWrapsGuardsWhichWrapTheHandler()
    {
        var (trail, error) = await RunAsync(Metadata([typeof(OpenGuard)], roles: "editor"), [typeof(OuterFilter), typeof(InnerFilter)], Editor);

        Assert.Null(error);
        Assert.Equal(["outer filter", "inner filter", "open guard", "handler", "outer filter after"], trail);
    }

    [Fact]
    public async Task AUserWithoutTheRoleIsRefusedBeforeAnyGuardRuns()
    {
        var (trail, error) = await RunAsync(Metadata([typeof(OpenGuard)], roles: "editor"), [typeof(OuterFilter)], Reader);

        Assert.Equal("Forbidden resource", Assert.IsType<WsException>(error).Message);
        Assert.Equal(["outer filter"], trail);
    }

    [Fact]
    public async Task AGuardThatSaysNoStopsTheGuardsAfterItAndTheHandler()
    {
        var (trail, error) = await RunAsync(Metadata([typeof(ClosedGuard), typeof(OpenGuard)]), [], null);

        Assert.Equal("Forbidden resource", Assert.IsType<WsException>(error).Message);
        Assert.Equal(["closed guard"], trail);
    }

    [Fact]
    public async Task AllowAnonymousLiftsTheRolesButNotTheGuards()
    {
        var (trail, error) = await RunAsync(Metadata([typeof(OpenGuard)], roles: "editor", allowAnonymous: true), [], null);

        Assert.Null(error);
        Assert.Equal(["open guard", "handler"], trail);
    }

    [Fact]
    public void AGuardThatIsNotAServiceFailsTheBuildNamingItAndTheEvent()
    {
        using var services = new ServiceCollection().AddLogging().AddAuthorization().BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() =>
            HandlerPipeline.Build("save", _ => ValueTask.CompletedTask, Metadata([typeof(OpenGuard)]), services, []));

        Assert.Contains(typeof(OpenGuard).FullName!, error.Message);
        Assert.Contains("'save'", error.Message);
    }
}
