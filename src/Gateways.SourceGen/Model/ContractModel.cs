namespace Gateways.SourceGen.Model;

// What the generated contracts (TypeScript event maps, the AsyncAPI document) say about an app's gateways: each
// namespace's events both ways with their payload shapes, in JSON terms (System.Text.Json's web defaults: camelCase
// names). Equatable like every model, so the contract outputs are cached until a gateway, a client-events interface or
// a payload type changes.

/// <summary>One gateway's part of its namespace's contract.</summary>
internal sealed record GatewayContract(
    string Namespace,
    string Gateway,
    EquatableArray<EventContract> ClientToServer,
    EquatableArray<EventContract> ServerToClient,
    EquatableArray<TypeShape> Types);

/// <summary>An event: its arguments in order and, for a client-to-server event, what its acknowledgement answers.</summary>
internal sealed record EventContract(
    string EventName,
    EquatableArray<ArgumentContract> Arguments,
    AckContract? Ack,
    string? Summary);

internal sealed record ArgumentContract(string Name, TypeRef Type);

/// <summary>The acknowledgement's arguments; <see cref="Unknown"/> when the handler answers through an
/// <c>AckCallback</c> (any arguments).</summary>
internal sealed record AckContract(EquatableArray<TypeRef> Answer, bool Unknown);

internal enum TypeRefKind
{
    Unknown,
    String,
    Integer,
    Number,
    Boolean,
    Binary,
    Array,
    Map,
    Object,
    Enum,
}

/// <summary>A JSON type: a primitive (with a JSON Schema <see cref="Format"/>), an array or string-keyed map of
/// <see cref="Element"/>, or a named shape (<see cref="ShapeId"/>).</summary>
internal sealed record TypeRef(TypeRefKind Kind, bool Nullable = false, string? Format = null, string? ShapeId = null,
    TypeRef? Element = null)
{
    public TypeRef AsNullable() => Nullable ? this : this with { Nullable = true };
}

/// <summary>An object (its properties) or an enum (its values) that payloads use, by the .NET type's full name.</summary>
internal sealed record TypeShape(
    string Id,
    string Name,
    EquatableArray<PropertyShape> Properties,
    EquatableArray<string> EnumValues,
    bool EnumAsStrings,
    string? Summary);

/// <summary>A property as JSON sees it; the DataAnnotations limits the AsyncAPI schema carries.</summary>
internal sealed record PropertyShape(
    string JsonName,
    TypeRef Type,
    bool Required,
    int? MinLength = null,
    int? MaxLength = null,
    string? Minimum = null,
    string? Maximum = null,
    string? Pattern = null,
    string? Summary = null);

/// <summary>A [GatewayClientEvents] interface: what the generator implements.</summary>
internal sealed record ClientEventsModel(
    string FullyQualifiedName,
    string ImplementationName,
    EquatableArray<ClientEventMethod> Methods);

internal sealed record ClientEventMethod(string MethodName, string EventName, EquatableArray<ClientEventParameter> Parameters);

internal sealed record ClientEventParameter(string Name, string TypeName);

/// <summary>A [GatewayClient] partial class: the typed .NET client of one gateway.</summary>
internal sealed record TypedClientModel(
    string ContainingNamespace,
    string ClassName,
    string SocketNamespace,
    bool NamespaceIsTemplate,
    string Gateway,
    EquatableArray<TypedClientSend> Sends,
    EquatableArray<TypedClientListen> Listens);

internal enum TypedClientAck
{
    None,
    Typed,
    Raw,
}

/// <summary>One event the client sends: its parameters (positional arguments, or the properties of one object when
/// <see cref="PropertyNames"/> is set), and what its acknowledgement carries.</summary>
internal sealed record TypedClientSend(
    string MethodName,
    string EventName,
    EquatableArray<ClientEventParameter> Parameters,
    EquatableArray<string> PropertyNames,
    TypedClientAck Ack,
    string? AckType);

/// <summary>One event the client listens to.</summary>
internal sealed record TypedClientListen(string MethodSuffix, string EventName, EquatableArray<ClientEventParameter> Parameters);
