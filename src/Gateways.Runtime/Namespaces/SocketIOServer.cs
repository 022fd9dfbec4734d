using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Gateways.Adapters;
using Gateways.Dispatch;
using Gateways.EngineIO;
using Gateways.Hosting;
using Gateways.SocketIO;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateways.Namespaces;

/// <summary>
/// The Socket.IO server: the namespaces declared with <c>AddGateways().AddNamespace(…)</c> (the main namespace
/// <c>/</c> always exists), running on top of Engine.IO.
/// </summary>
internal sealed class SocketIOServer : IEngineIOApplication, IAsyncDisposable, IDisposable
{
    private readonly FrozenDictionary<string, GatewayNamespace> _namespaces;

    /// <summary>Creates the server from the configured namespaces.</summary>
    /// <param name="options">The settings and namespace declarations.</param>
    /// <param name="adapterFactory">Creates each namespace's adapter.</param>
    /// <param name="services">The root service provider; handlers get a scope of it.</param>
    /// <param name="timeProvider">The clock for timeouts.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="jsonOptions">The JSON settings for event arguments.</param>
    public SocketIOServer(IOptions<GatewaysOptions> options, IOptions<GatewaysJsonOptions> jsonOptions,
        IGatewayAdapterFactory adapterFactory, IServiceProvider services, TimeProvider timeProvider,
        ILogger<SocketIOServer> logger) : this(options, jsonOptions, adapterFactory, services, timeProvider, logger,
        services.GetService<GatewayDeclarations>() ?? new GatewayDeclarations())
    {
    }

    private SocketIOServer(IOptions<GatewaysOptions> options, IOptions<GatewaysJsonOptions> jsonOptions,
        IGatewayAdapterFactory adapterFactory, IServiceProvider services, TimeProvider timeProvider,
        ILogger<SocketIOServer> logger, GatewayDeclarations declarations)
    {
        Options = options.Value;
        SerializerOptions = jsonOptions.Value.SerializerOptions;
        Declarations = declarations;
        Errors = new GatewayErrors(Options, declarations.ExceptionFilters, logger);
        RateLimiter = new Security.EventRateLimiter(Options.RateLimit, timeProvider);
        Services = services;
        Logger = logger;
        var builders = new Dictionary<string, GatewayNamespaceBuilder>(StringComparer.Ordinal)
        {
            [NamespaceNameTable.Root] = new GatewayNamespaceBuilder(NamespaceNameTable.Root),
        };
        var gateways = ServedGateways(declarations, logger);
        foreach (var descriptor in gateways)
        {
            builders.TryAdd(descriptor.Namespace, new GatewayNamespaceBuilder(descriptor.Namespace));
        }
        foreach (var (name, configures) in declarations.Namespaces)
        {
            var builder = builders.TryGetValue(name, out var existing) ? existing : builders[name] = new GatewayNamespaceBuilder(name);
            foreach (var configure in configures)
            {
                configure(builder);
            }
        }

        // Gateways add their handlers before the namespaces freeze, and see their namespace once it exists.
        var binding = new GatewayBindingContext(services, SerializerOptions);
        var dispatchers = new List<(string Namespace, GatewayDispatcher Dispatcher)>();
        foreach (var descriptor in gateways)
        {
            var builder = builders[descriptor.Namespace];
            if (descriptor.ConnectAuthorize.Count > 0)
            {
                builder.Use(ConnectAuthorization(services, descriptor));
            }
            var dispatcher = descriptor.CreateDispatcher(binding);
            dispatcher.AddHandlers(builder);
            dispatchers.Add((descriptor.Namespace, dispatcher));
        }
        binding.ThrowIfTypeInfoMissing();

        var namespaces = new Dictionary<string, GatewayNamespace>(StringComparer.Ordinal);
        foreach (var (name, builder) in builders)
        {
            // Authentication runs before each namespace's own middlewares, whichever order they were declared in.
            builder.Middlewares.InsertRange(0, declarations.GlobalMiddlewares);
            namespaces[name] = new GatewayNamespace(builder, adapterFactory, SerializerOptions, timeProvider, services, declarations.Filters,
                Options, logger);
            NamespaceNames.Add(name);
        }
        _namespaces = namespaces.ToFrozenDictionary(StringComparer.Ordinal);
        foreach (var (name, dispatcher) in dispatchers)
        {
            dispatcher.Initialize(_namespaces[name]);
        }
    }

    /// <summary>The settings in force.</summary>
    public GatewaysOptions Options { get; }

    internal GatewayDeclarations Declarations { get; }

    internal GatewayErrors Errors { get; }

    internal Security.EventRateLimiter RateLimiter { get; }

    /// <summary>The JSON options event arguments bind and serialize with.</summary>
    public System.Text.Json.JsonSerializerOptions SerializerOptions { get; }

    /// <summary>Every namespace of this server.</summary>
    public IEnumerable<GatewayNamespace> Namespaces => _namespaces.Values;

    internal IServiceProvider Services { get; }

    internal ILogger Logger { get; }

    internal NamespaceNameTable NamespaceNames { get; } = new();

    /// <summary>The Engine.IO server <c>MapGateways()</c> put this server on; null until then.</summary>
    internal EngineIOServer? Engine { get; set; }

    /// <summary>The namespace <paramref name="name"/>, to emit to it from anywhere (socket.io's <c>io.of(name)</c>).</summary>
    /// <param name="name">The namespace name, such as <c>/</c>.</param>
    /// <exception cref="InvalidOperationException">No such namespace was declared.</exception>
    public IGatewayServer Of(string name) => TryGetNamespace(name, out var found)
        ? found
        : throw new InvalidOperationException($"Namespace '{name}' is not declared; add it with AddGateways().AddNamespace(\"{name}\", …).");

    /// <summary>Finds a namespace.</summary>
    /// <param name="name">The namespace name.</param>
    /// <param name="namespace">The namespace, when declared.</param>
    public bool TryGetNamespace(string name, [NotNullWhen(true)] out GatewayNamespace? @namespace) =>
        _namespaces.TryGetValue(name, out @namespace);

    /// <summary>The gateways added explicitly, then those discovered in the app's project unless discovery is off
    /// (then each one left out is named in one warning).</summary>
    private List<GatewayDescriptor> ServedGateways(GatewayDeclarations declarations, ILogger logger)
    {
        var gateways = new List<GatewayDescriptor>(declarations.Gateways);
        var discovered = declarations.DiscoveredGateways.Where(d => !gateways.Contains(d)).ToList();
        if (Options.DiscoverGateways)
        {
            gateways.AddRange(discovered);
        }
        else if (discovered.Count > 0)
        {
            SocketIOLog.GatewaysLeftOut(logger, string.Join(", ", discovered.Select(d => d.GatewayType.FullName)));
        }
        return gateways;
    }

    /// <summary>A gateway's class-level [Authorize]: an unauthenticated socket is refused "Unauthorized", an
    /// authenticated one that fails the policy "Forbidden resource".</summary>
    private static GatewayConnectionMiddleware ConnectAuthorization(IServiceProvider services, GatewayDescriptor descriptor)
    {
        var policy = Security.GatewayAuthorization.Policy(services, descriptor.ConnectAuthorize, $"gateway '{descriptor.GatewayType.Name}'");
        return async (context, next) =>
        {
            var user = context.Socket.User;
            if (user?.Identity?.IsAuthenticated != true)
            {
                throw new ConnectionRefusedException("Unauthorized");
            }
            if (!await Security.GatewayAuthorization.IsAuthorizedAsync(context.Services, user, policy, context))
            {
                throw new ConnectionRefusedException(Security.GatewayAuthorization.Forbidden);
            }
            await next();
        };
    }

    /// <inheritdoc/>
    public IEngineIOSessionHandler OnOpen(EngineIOSession session) => new SocketIOConnection(this, session);

    /// <inheritdoc/>
    /// <remarks>A connection is pending until it connects its first namespace.</remarks>
    public bool TracksPendingSessions => true;

    /// <summary>The app stops and its container is disposed synchronously (<c>ServiceProvider.Dispose()</c>): adapters
    /// that hold resources (subscriptions, connections) release them.</summary>
    public void Dispose()
    {
        foreach (var @namespace in _namespaces.Values)
        {
            @namespace.Recovery?.Dispose();
            switch (@namespace.Adapter)
            {
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
                case IAsyncDisposable asyncDisposable:
                    asyncDisposable.DisposeAsync().AsTask().GetAwaiter().GetResult();
                    break;
            }
        }
    }

    /// <summary>The app stops (the host disposes its container asynchronously): the same, awaiting async adapters.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var @namespace in _namespaces.Values)
        {
            @namespace.Recovery?.Dispose();
            switch (@namespace.Adapter)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }
}
