namespace Gateways.SourceGen.Model;

// Every model below must stay immutable and structurally equal (strings, enums, bools and EquatableArray only):
// the incremental pipeline compares them to decide whether to emit again. No ISymbol, SyntaxNode or Location.

/// <summary>One gateway class, as the emitters need it.</summary>
internal sealed record GatewayModel(
    string ClassChain,
    string FullyQualifiedName,
    string ContainingNamespace,
    string SocketNamespace,
    EquatableArray<HandlerModel> Handlers,
    EquatableArray<string> ServerProperties,
    LifecycleHooks Hooks,
    PolicyModel Policy)
{
    /// <summary>The C# namespace of the generated dispatcher.</summary>
    public string DispatcherNamespace => ContainingNamespace.Length == 0
        ? "Gateways.Generated"
        : "Gateways.Generated." + ContainingNamespace;

    /// <summary>The dispatcher class: the gateway's name (outer types joined with '_') + "Dispatcher".</summary>
    public string DispatcherName => ClassChain.Replace('.', '_') + "Dispatcher";

    public string DispatcherFullName => "global::" + DispatcherNamespace + "." + DispatcherName;

    /// <summary>{Namespace}.{Gateway}.Dispatch.g.cs</summary>
    public string HintName => (ContainingNamespace.Length == 0 ? "" : ContainingNamespace + ".") + ClassChain + ".Dispatch.g.cs";
}

/// <summary>One [SubscribeMessage] method. <see cref="SerializedResult"/>: the type its results are written as (the
/// value of a Task, a stream item, a WsResponse's data), when it is known statically, for the startup check.</summary>
internal sealed record HandlerModel(
    string EventName,
    string MethodName,
    EquatableArray<ParameterModel> Parameters,
    ReturnKind Return,
    PolicyModel Policy,
    string? SerializedResult = null,
    HandlerRole Role = HandlerRole.Event);

/// <summary>What a handler is registered as: the handler of one event, the fallback for events no handler takes, or
/// a listener on every event.</summary>
internal enum HandlerRole
{
    Event,
    Unhandled,
    Any,
    /// <summary>A listener on every event the namespace sends ([OnAnyOutgoing]).</summary>
    Outgoing,
}

/// <summary>What [Authorize], [AllowAnonymous], [UseGuards] and [UseFilters] say on a gateway or a handler.</summary>
internal sealed record PolicyModel(
    EquatableArray<AuthorizeModel> Authorize,
    bool AllowAnonymous,
    EquatableArray<string> Guards,
    EquatableArray<string> Filters,
    bool AcknowledgeErrors)
{
    public static readonly PolicyModel None = new(EquatableArray<AuthorizeModel>.Empty, false,
        EquatableArray<string>.Empty, EquatableArray<string>.Empty, false);
}

/// <summary>One [Authorize] attribute.</summary>
internal sealed record AuthorizeModel(string? Policy, string? Roles);

/// <summary>One handler parameter and how it binds. <see cref="IsImplicit"/>: an undecorated body (NestJS's positional
/// form); <see cref="GuardNotService"/>: its type could be a service, so startup fails if DI knows it;
/// <see cref="ServiceKey"/>: the C# expression of a [FromKeyedServices] key.</summary>
internal sealed record ParameterModel(
    string Name,
    ParameterKind Kind,
    string TypeName,
    string? Property,
    int Index,
    bool IsNullable,
    bool IsValueType,
    bool Validate = false,
    bool IsRequired = false,
    bool IsImplicit = false,
    bool GuardNotService = false,
    string? ServiceKey = null);

internal enum ParameterKind
{
    Body,
    BodyProperty,
    BodyIndex,
    Socket,
    Principal,
    UserType,
    Ack,
    EventName,
    CancellationToken,
    Context,
    Server,
    ServiceProvider,
    /// <summary>[FromServices]: a DI service, required at startup.</summary>
    Service,
    /// <summary>[FromKeyedServices(key)]: a keyed DI service, required at startup.</summary>
    KeyedService,
    /// <summary>[FromNamespace]: a value of the socket's dynamic namespace (<see cref="ParameterModel.Property"/> names
    /// it), as text or parsed.</summary>
    NamespaceValue,
}

internal enum ReturnKind
{
    Void,
    Task,
    ValueTask,
    Value,
    TaskOfT,
    ValueTaskOfT,
    AsyncEnumerable,
}

[System.Flags]
internal enum LifecycleHooks
{
    None = 0,
    Init = 1,
    Connection = 2,
    ConnectionAsync = 4,
    Disconnect = 8,
    DisconnectAsync = 16,
    SessionExpired = 32,
    Disconnecting = 64,
}

/// <summary>What the registration file needs of a gateway: no handlers, so editing one does not re-emit it.</summary>
internal sealed record GatewaySummary(string DispatcherFullName, string SocketNamespace);

/// <summary>One event a gateway declares, with where, for the cross-gateway duplicate check.</summary>
internal sealed record EventDeclaration(string SocketNamespace, string EventName, string Gateway, LocationInfo Location);
