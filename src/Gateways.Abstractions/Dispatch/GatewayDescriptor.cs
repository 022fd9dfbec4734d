using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

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
    public GatewayDescriptor(Type gatewayType, string @namespace, IReadOnlyList<string> events,
        Func<GatewayBindingContext, GatewayDispatcher> createDispatcher,
        IReadOnlyList<GatewayAuthorizeData>? connectAuthorize = null, bool allowAnonymous = false)
    {
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

    /// <summary>Runs when a socket has joined the namespace.</summary>
    /// <param name="handler">The hook.</param>
    void AddConnectionHandler(Func<IGatewaySocket, ValueTask> handler);

    /// <summary>Runs when a socket has left the namespace, with the reason.</summary>
    /// <param name="handler">The hook.</param>
    void AddDisconnectHandler(Func<IGatewaySocket, string, ValueTask> handler);
}

/// <summary>What a dispatcher needs from the server it is built for: the services, the JSON options, and which
/// parameter types are DI services (decided once, at startup, as ASP.NET Core's Request Delegate Generator does).</summary>
public sealed class GatewayBindingContext
{
    private readonly Func<Type, bool> _isService;

    /// <summary>Creates the context; called by the runtime.</summary>
    /// <param name="services">The root service provider.</param>
    /// <param name="serializerOptions">The JSON options event arguments bind with.</param>
    /// <param name="isService">Tells whether a type is a registered service.</param>
    public GatewayBindingContext(IServiceProvider services, JsonSerializerOptions serializerOptions, Func<Type, bool> isService)
    {
        Services = services;
        SerializerOptions = serializerOptions;
        _isService = isService;
    }

    /// <summary>The root service provider.</summary>
    public IServiceProvider Services { get; }

    /// <summary>The JSON options event arguments bind with.</summary>
    public JsonSerializerOptions SerializerOptions { get; }

    /// <summary>Whether <paramref name="type"/> is a registered DI service.</summary>
    /// <param name="type">The parameter type.</param>
    public bool IsService(Type type) => _isService(type);

    /// <summary>The JSON metadata for <typeparamref name="T"/>; fails at startup, naming the type, when the configured
    /// resolvers do not know it.</summary>
    /// <typeparam name="T">The bound type.</typeparam>
    public JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)SerializerOptions.GetTypeInfo(typeof(T));

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
