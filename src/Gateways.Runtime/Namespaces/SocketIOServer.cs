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
    // Dynamic namespaces, tried in declaration order for a name no namespace has.
    private readonly ParentNamespace[] _parents;
    private readonly FrozenDictionary<string, ParentNamespace> _parentsByName;

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
        Monitor = services.GetService<AdminUI.AdminUIMonitor>();
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
        var parents = new List<ParentNamespace>();
        foreach (var (name, builder) in builders)
        {
            foreach (var configure in declarations.EveryNamespace)
            {
                configure(builder, services);
            }
            // Authentication runs before each namespace's own middlewares, whichever order they were declared in.
            if (!declarations.SelfAuthenticated.Contains(name))
            {
                builder.Middlewares.InsertRange(0, declarations.GlobalMiddlewares);
            }
            var definition = new NamespaceDefinition(builder, services, declarations.Filters);
            var pattern = declarations.Expressions.TryGetValue(name, out var expression) ? NamespacePattern.FromRegex(expression)
                : NamespacePattern.IsTemplate(name) ? NamespacePattern.FromTemplate(name)
                : null;
            if (pattern is null)
            {
                namespaces[name] = new GatewayNamespace(name, definition, adapterFactory, SerializerOptions, timeProvider, services,
                    Options, logger);
                NamespaceNames.Add(name);
                continue;
            }
            ParentNamespace? parent = null;
            parent = new ParentNamespace(pattern, Options.DynamicNamespaces, logger, (child, values) =>
                new GatewayNamespace(child, definition, adapterFactory, SerializerOptions, timeProvider, services, Options, logger,
                    parent, values));
            parents.Add(parent);
        }
        _namespaces = namespaces.ToFrozenDictionary(StringComparer.Ordinal);
        _parents = [.. parents];
        _parentsByName = parents.ToFrozenDictionary(parent => parent.Name, StringComparer.Ordinal);
        foreach (var (name, dispatcher) in dispatchers)
        {
            dispatcher.Initialize(_parentsByName.TryGetValue(name, out var parent) ? parent : _namespaces[name]);
        }
    }

    /// <summary>The settings in force.</summary>
    public GatewaysOptions Options { get; }

    internal GatewayDeclarations Declarations { get; }

    internal GatewayErrors Errors { get; }

    internal Security.EventRateLimiter RateLimiter { get; }

    /// <summary>The JSON options event arguments bind and serialize with.</summary>
    public System.Text.Json.JsonSerializerOptions SerializerOptions { get; }

    /// <summary>Every namespace of this server: those declared by name, and the children dynamic namespaces have now.</summary>
    public IEnumerable<GatewayNamespace> Namespaces => _namespaces.Values.Concat(_parents.SelectMany(static parent => parent.Children));

    internal IServiceProvider Services { get; }

    /// <summary>What watches this server (the Admin UI); null when nothing does, which costs nothing.</summary>
    internal AdminUI.AdminUIMonitor? Monitor { get; }

    internal ILogger Logger { get; }

    internal NamespaceNameTable NamespaceNames { get; } = new();

    /// <summary>The Engine.IO server <c>MapGateways()</c> put this server on; null until then.</summary>
    internal EngineIOServer? Engine { get; set; }

    /// <summary>The namespace <paramref name="name"/>, to emit to it from anywhere (socket.io's <c>io.of(name)</c>): a
    /// declared namespace; a dynamic namespace by its pattern (the parent: it reaches every child); or a name a pattern
    /// matches (that child, created if it does not exist yet).</summary>
    /// <param name="name">The namespace name, such as <c>/</c>, <c>/tenant-{id}</c> or <c>/tenant-42</c>.</param>
    /// <exception cref="InvalidOperationException">No such namespace was declared, or its pattern has its maximum of children.</exception>
    public IGatewayServer Of(string name)
    {
        if (_parentsByName.TryGetValue(name, out var parent))
        {
            return parent;
        }
        return Find(name, reserve: false, out var found) switch
        {
            NamespaceLookup.Found => found!,
            NamespaceLookup.Full => throw new InvalidOperationException(
                $"Namespace '{name}' is not created: its dynamic namespace has Gateways:DynamicNamespaces:MaxChildren children."),
            _ => throw new InvalidOperationException(
                $"Namespace '{name}' is not declared; add it with AddGateways().AddNamespace(\"{name}\", …)."),
        };
    }

    /// <summary>Finds a namespace, creating a dynamic namespace's child the app asks for.</summary>
    /// <param name="name">The namespace name.</param>
    /// <param name="namespace">The namespace, when found.</param>
    public bool TryGetNamespace(string name, [NotNullWhen(true)] out GatewayNamespace? @namespace) =>
        Find(name, reserve: false, out @namespace) == NamespaceLookup.Found;

    /// <summary>The namespace a CONNECT asks for, held until <see cref="ReleaseNamespace"/> so that a dynamic
    /// namespace's child is not removed while its socket is being admitted.</summary>
    internal NamespaceLookup ReserveNamespace(string name, out GatewayNamespace? @namespace) => Find(name, reserve: true, out @namespace);

    /// <summary>The CONNECT that reserved <paramref name="namespace"/> is over.</summary>
    internal static void ReleaseNamespace(GatewayNamespace @namespace, bool admitted) => @namespace.Parent?.Release(@namespace, admitted);

    private NamespaceLookup Find(string name, bool reserve, out GatewayNamespace? @namespace)
    {
        if (_namespaces.TryGetValue(name, out @namespace))
        {
            return NamespaceLookup.Found;
        }
        foreach (var parent in _parents)
        {
            var found = reserve ? parent.TryReserve(name, out @namespace) : parent.TryGetOrCreate(name, out @namespace);
            if (found != NamespaceLookup.NotFound)
            {
                return found;
            }
        }
        return NamespaceLookup.NotFound;
    }

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
        foreach (var parent in _parents)
        {
            parent.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        foreach (var @namespace in _namespaces.Values)
        {
            @namespace.DisposeResources();
        }
    }

    /// <summary>The app stops (the host disposes its container asynchronously): the same, awaiting async adapters.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var parent in _parents)
        {
            await parent.DisposeAsync();
        }
        foreach (var @namespace in _namespaces.Values)
        {
            await @namespace.DisposeResourcesAsync();
        }
    }
}
