using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Dispatch;

/// <summary>
/// What the source generator knows of one gateway class: its namespace, its events and how to build its dispatcher.
/// Generated code creates one per gateway and registers it in <see cref="GatewayRegistry"/>.
/// </summary>
public sealed class GatewayDescriptor
{
    /// <summary>Creates the descriptor; called by generated code.</summary>
    /// <param name="gatewayType">The gateway class.</param>
    /// <param name="namespace">The Socket.IO namespace it serves.</param>
    /// <param name="events">The events it handles, sorted.</param>
    /// <param name="createDispatcher">Builds the dispatcher for one server.</param>
    /// <param name="connectAuthorize">The gateway's <c>[Authorize]</c> attributes, checked when a socket connects.</param>
    /// <param name="allowAnonymous">Whether the gateway is <c>[AllowAnonymous]</c>: its namespace needs no token.</param>
    /// <param name="addServices">Registers the gateway class in DI (a singleton), without reflection.</param>
    public GatewayDescriptor(Type gatewayType, string @namespace, IReadOnlyList<string> events,
        Func<GatewayBindingContext, GatewayDispatcher> createDispatcher,
        IReadOnlyList<GatewayAuthorizeData>? connectAuthorize = null, bool allowAnonymous = false,
        Action<IServiceCollection>? addServices = null)
    {
        AddServices = addServices;
        GatewayType = gatewayType;
        Namespace = @namespace;
        Events = events;
        CreateDispatcher = createDispatcher;
        ConnectAuthorize = connectAuthorize ?? [];
        AllowAnonymous = allowAnonymous;
    }

    /// <summary>The gateway's <c>[Authorize]</c> attributes, checked when a socket connects to its namespace.</summary>
    public IReadOnlyList<GatewayAuthorizeData> ConnectAuthorize { get; }

    /// <summary>Whether the gateway is <c>[AllowAnonymous]</c>: its namespace accepts sockets without a token.</summary>
    public bool AllowAnonymous { get; }

    /// <summary>The gateway class.</summary>
    public Type GatewayType { get; }

    /// <summary>Registers the gateway class in DI (a singleton), as generated code can without reflection; null in
    /// descriptors written by hand.</summary>
    public Action<IServiceCollection>? AddServices { get; }

    /// <summary>The Socket.IO namespace it serves.</summary>
    public string Namespace { get; }

    /// <summary>The events it handles, sorted.</summary>
    public IReadOnlyList<string> Events { get; }

    /// <summary>Builds the dispatcher for one server: resolves the gateway and decides each parameter's binding.</summary>
    public Func<GatewayBindingContext, GatewayDispatcher> CreateDispatcher { get; }
}

/// <summary>The generated, reflection-free invoker of one gateway's handlers on one server.</summary>
public abstract class GatewayDispatcher
{
    /// <summary>Adds the event handlers and lifecycle hooks to the namespace.</summary>
    /// <param name="registry">The namespace's handler registry.</param>
    public abstract void AddHandlers(IGatewayHandlerRegistry registry);

    /// <summary>Runs once the namespace exists: sets <see cref="WebSocketServerAttribute"/> properties and calls
    /// <see cref="IOnGatewayInit.AfterInit"/>.</summary>
    /// <param name="server">The namespace.</param>
    public virtual void Initialize(IGatewayServer server)
    {
    }
}

/// <summary>Where a dispatcher adds its handlers: one namespace being built.</summary>
public interface IGatewayHandlerRegistry
{
    /// <summary>The namespace name.</summary>
    string Name { get; }

    /// <summary>Handles an event; one handler per event name and namespace.</summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="handler">The handler.</param>
    /// <param name="metadata">Authorization, guards and filters of a generated handler.</param>
    void AddEventHandler(string eventName, GatewayEventHandler handler, GatewayHandlerMetadata? metadata = null);

    /// <summary>Handles every event that no handler of the namespace takes (<see cref="UnhandledMessageAttribute"/>).</summary>
    /// <param name="handler">The handler.</param>
    /// <param name="metadata">Authorization, guards and filters of a generated handler.</param>
    void SetUnhandledHandler(GatewayEventHandler handler, GatewayHandlerMetadata? metadata = null);

    /// <summary>Sees every event the namespace receives before its handler (<see cref="OnAnyMessageAttribute"/>);
    /// the listener is expected to complete synchronously.</summary>
    /// <param name="listener">The listener.</param>
    void AddAnyListener(GatewayEventHandler listener);

    /// <summary>Sees every event the namespace sends (<see cref="OnAnyOutgoingAttribute"/>): the context's socket is the
    /// recipient, its arguments the event's.</summary>
    /// <param name="listener">The listener; it must complete synchronously.</param>
    void AddOutgoingListener(GatewayEventHandler listener);

    /// <summary>Runs when a socket has joined the namespace.</summary>
    /// <param name="handler">The hook.</param>
    void AddConnectionHandler(Func<IGatewaySocket, ValueTask> handler);

    /// <summary>Runs when a socket is leaving the namespace, still in its rooms, with the reason.</summary>
    /// <param name="handler">The hook.</param>
    void AddDisconnectingHandler(Action<IGatewaySocket, string> handler);

    /// <summary>Runs when a socket has left the namespace, with the reason.</summary>
    /// <param name="handler">The hook.</param>
    void AddDisconnectHandler(Func<IGatewaySocket, string, ValueTask> handler);

    /// <summary>Runs when a lost socket's session expires without recovery (see <see cref="IOnSessionExpired"/>).</summary>
    /// <param name="handler">The hook.</param>
    void AddSessionExpiredHandler(Func<ExpiredSession, ValueTask> handler);
}

/// <summary>What a dispatcher needs from the server it is built for: the services and the JSON options. Every
/// binding is decided at compile time; what this context adds are the startup checks of those decisions.</summary>
public sealed class GatewayBindingContext
{
    // Every body and result type the resolvers lacked, reported together by ThrowIfTypeInfoMissing.
    private readonly List<(Type Type, string Use)> _missingTypeInfo = [];

    /// <summary>Creates the context; called by the runtime.</summary>
    /// <param name="services">The root service provider.</param>
    /// <param name="serializerOptions">The JSON options event arguments bind with.</param>
    public GatewayBindingContext(IServiceProvider services, JsonSerializerOptions serializerOptions)
    {
        Services = services;
        SerializerOptions = serializerOptions;
    }

    /// <summary>The root service provider.</summary>
    public IServiceProvider Services { get; }

    /// <summary>The JSON options event arguments bind with.</summary>
    public JsonSerializerOptions SerializerOptions { get; }

    /// <summary>Fails at startup when a <c>[FromServices]</c> parameter's type is not registered.</summary>
    /// <param name="type">The parameter type.</param>
    /// <param name="parameter">The parameter and its handler, for the message.</param>
    public void RequireService(Type type, string parameter)
    {
        if (Services.GetService<IServiceProviderIsService>() is { } isService && !isService.IsService(type))
        {
            throw new InvalidOperationException(
                $"{parameter} is [FromServices], but '{type.FullName}' is not registered; add it to the service collection.");
        }
    }

    /// <summary>Fails at startup when a <c>[FromKeyedServices(key)]</c> parameter's service is not registered.</summary>
    /// <param name="type">The parameter type.</param>
    /// <param name="key">The service key.</param>
    /// <param name="parameter">The parameter and its handler, for the message.</param>
    public void RequireKeyedService(Type type, object? key, string parameter)
    {
        if (Services.GetService<IServiceProviderIsKeyedService>() is { } isService && !isService.IsKeyedService(type, key))
        {
            throw new InvalidOperationException(
                $"{parameter} is [FromKeyedServices({key})], but '{type.FullName}' is not registered with that key; add it to the service collection.");
        }
    }

    /// <summary>Fails at startup when a parameter bound as the message body (no attribute) has the type of a
    /// registered service: the author most likely meant <c>[FromServices]</c>, and the client's JSON must never
    /// stand in for a service.</summary>
    /// <param name="type">The parameter type.</param>
    /// <param name="parameter">The parameter and its handler, for the message.</param>
    public void RejectService(Type type, string parameter)
    {
        if (Services.GetService<IServiceProviderIsService>() is { } isService && isService.IsService(type))
        {
            throw new InvalidOperationException(
                $"{parameter} has no attribute, so it binds the message body, but '{type.FullName}' is a registered service. " +
                "Mark it [FromServices] to take the service, or [MessageBody] to bind the payload.");
        }
    }

    /// <summary>The JSON metadata a handler binds <typeparamref name="T"/> with. When the configured resolvers do not
    /// know the type (Native AOT: no reflection), the miss is recorded and <see cref="ThrowIfTypeInfoMissing"/> fails
    /// startup with every such type at once.</summary>
    /// <typeparam name="T">The bound type.</typeparam>
    /// <param name="use">What binds it, for the message ("Parameter 'x' of Gateway.Handler (event 'e')").</param>
    public JsonTypeInfo<T> TypeInfo<T>(string use) => (JsonTypeInfo<T>)Find(typeof(T), use)!;

    /// <summary>Records a miss, as <see cref="TypeInfo{T}"/> does, for a type a handler's results are written as.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="use">What writes it, for the message.</param>
    public void RequireTypeInfo<T>(string use) => Find(typeof(T), use);

    /// <summary>Fails startup listing every handler type the configured JSON resolvers cannot serialize, and how to
    /// give them metadata; called by the runtime once every dispatcher is built.</summary>
    /// <exception cref="InvalidOperationException">Some types have no JSON metadata.</exception>
    public void ThrowIfTypeInfoMissing()
    {
        if (_missingTypeInfo.Count == 0)
        {
            return;
        }
        var lines = string.Join(Environment.NewLine, _missingTypeInfo.Select(m => $"  '{m.Type.FullName}': {m.Use}"));
        var attributes = string.Join(" ", _missingTypeInfo.Select(m => m.Type).Distinct().Select(t => $"[JsonSerializable(typeof({t.Name}))]"));
        throw new InvalidOperationException(
            $"The JSON resolvers of the gateways (reflection is off, as under Native AOT) have no metadata for these handler types:{Environment.NewLine}" +
            $"{lines}{Environment.NewLine}Declare them in a JsonSerializerContext ({attributes} on a partial class deriving from " +
            "JsonSerializerContext) and add it with AddGateways().AddJsonSerializerContext(AppJsonContext.Default).");
    }

    private JsonTypeInfo? Find(Type type, string use)
    {
        try
        {
            return SerializerOptions.GetTypeInfo(type);
        }
        catch (NotSupportedException)
        {
            _missingTypeInfo.Add((type, use));
            return null;
        }
    }

    /// <summary>The validator for bodies of type <paramref name="type"/>; fails at startup, saying what to do, when
    /// no validator knows the type.</summary>
    /// <param name="type">The body type, which carries validation attributes.</param>
    public IGatewayValidator GetValidator(Type type)
    {
        var validator = Services.GetService(typeof(IGatewayValidator)) as IGatewayValidator;
        if (validator is null || !validator.CanValidate(type))
        {
            throw new InvalidOperationException(
                $"'{type.FullName}' has validation attributes but no validation metadata. Call builder.Services.AddValidation() " +
                "and mark the type [ValidatableType] (source-generated, Native AOT-safe), or call AddGateways().AddDataAnnotationsValidation().");
        }
        return validator;
    }

    /// <summary>Resolves the gateway instance (a DI singleton).</summary>
    /// <typeparam name="TGateway">The gateway class.</typeparam>
    public TGateway GetGateway<TGateway>() where TGateway : class =>
        Services.GetService(typeof(TGateway)) as TGateway
        ?? throw new InvalidOperationException(
            $"Gateway '{typeof(TGateway).FullName}' is not registered; call AddGateways().AddGateway<{typeof(TGateway).Name}>().");
}

/// <summary>The descriptors of every generated gateway in the loaded assemblies, filled by generated module
/// initializers, so <c>AddGateway&lt;T&gt;()</c> finds a gateway's dispatcher without reflection.</summary>
public static class GatewayRegistry
{
    private static readonly ConcurrentDictionary<Type, GatewayDescriptor> Descriptors = new();

    /// <summary>Adds a descriptor; called by generated code.</summary>
    /// <param name="descriptor">The descriptor.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void Register(GatewayDescriptor descriptor) => Descriptors[descriptor.GatewayType] = descriptor;

    /// <summary>Finds the descriptor of a gateway class.</summary>
    /// <param name="gatewayType">The gateway class.</param>
    /// <param name="descriptor">The descriptor, when the generator ran for that class.</param>
    public static bool TryGet(Type gatewayType, [NotNullWhen(true)] out GatewayDescriptor? descriptor) =>
        Descriptors.TryGetValue(gatewayType, out descriptor);

    /// <summary>Every registered descriptor.</summary>
    public static IReadOnlyCollection<GatewayDescriptor> All => [.. Descriptors.Values];
}
