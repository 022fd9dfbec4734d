using Gateways.EngineIO;
using Gateways.Namespaces;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Socket.IO and bare Engine.IO endpoints.</summary>
public static class GatewaysEndpointRouteBuilderExtensions
{
    /// <summary>The path socket.io-client uses by default.</summary>
    public const string DefaultPath = "/socket.io/";

    /// <summary>Serves Socket.IO (polling and WebSocket) at <paramref name="path"/>; requires <c>AddGateways()</c>.</summary>
    /// <param name="endpoints">The endpoint builder, usually the <c>WebApplication</c>.</param>
    /// <param name="path">The path, <c>/socket.io/</c> by default (socket.io's <c>path</c> option).</param>
    /// <returns>The endpoint, for conventions such as <c>RequireHost</c>.</returns>
    public static IEndpointConventionBuilder MapGateways(this IEndpointRouteBuilder endpoints, string path = DefaultPath)
    {
        var services = endpoints.ServiceProvider;
        var server = services.GetService<SocketIOServer>()
            ?? throw new InvalidOperationException("MapGateways() needs builder.Services.AddGateways() first.");
        var endpoint = MapEngineIO(endpoints, path, server, server.Options.EngineIO, out var engine).WithDisplayName(Gateways.EngineIO.DirectUpgrade.DirectUpgradeMiddleware.GatewaysEndpointDisplayName);
        server.Engine = engine;
        return endpoint;
    }

    /// <summary>Serves a bare Engine.IO application at <paramref name="path"/>, without Socket.IO on top.</summary>
    /// <param name="endpoints">The endpoint builder.</param>
    /// <param name="path">The path, such as <c>/engine.io/</c>.</param>
    /// <param name="application">What runs on each session.</param>
    /// <param name="options">The Engine.IO settings; defaults when omitted.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="InvalidOperationException">The CORS settings are refused (see
    /// <see cref="EngineIOCorsOptions"/>) or name a policy the app did not register.</exception>
    public static IEndpointConventionBuilder MapEngineIO(this IEndpointRouteBuilder endpoints, string path,
        IEngineIOApplication application, EngineIOOptions? options = null) =>
        MapEngineIO(endpoints, path, application, options, out _);

    private static IEndpointConventionBuilder MapEngineIO(IEndpointRouteBuilder endpoints, string path,
        IEngineIOApplication application, EngineIOOptions? options, out EngineIOServer engine)
    {
        var services = endpoints.ServiceProvider;
        options ??= new EngineIOOptions();
        var loggerFactory = services.GetRequiredService<ILoggerFactory>();
        engine = new EngineIOServer(application, options,
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            loggerFactory.CreateLogger<EngineIOServer>(),
            services.GetService<IEngineIORequestFilter>(),
            EngineIOCors.Create(options.Cors, services, loggerFactory));
        // Stopping the host ends every session, so Kestrel's shutdown does not wait for long-lived WebSockets.
        services.GetService<IHostApplicationLifetime>()?.ApplicationStopping.Register(engine.CloseAll);
        // WebSocket acceptance is part of this endpoint's own pipeline, so the app needs no UseWebSockets() call.
        var pipeline = endpoints.CreateApplicationBuilder();
        pipeline.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        pipeline.Run(engine.HandleRequestAsync);
        return endpoints.Map(path, pipeline.Build());
    }
}
