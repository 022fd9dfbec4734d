namespace Gateways;

/// <summary>
/// Marks a class as a gateway: its <see cref="SubscribeMessageAttribute"/> methods handle the events of one
/// Socket.IO namespace (NestJS's <c>@WebSocketGateway()</c>). The Gateways source generator turns the class into a
/// dispatch table at compile time; register it with <c>AddGateways().AddGateway&lt;T&gt;()</c>.
/// </summary>
/// <remarks>A gateway is a DI singleton with constructor injection, as in NestJS; for per-event services (a
/// DbContext, say) take them as handler parameters, which come from a scope created per event.</remarks>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class WebSocketGatewayAttribute : Attribute
{
    /// <summary>A gateway of the main namespace <c>/</c>.</summary>
    public WebSocketGatewayAttribute()
    {
    }

    /// <summary>A gateway of <paramref name="namespace"/>.</summary>
    /// <param name="namespace">The Socket.IO namespace, starting with <c>/</c> (NestJS's <c>namespace</c> option); or
    /// a template such as <c>/tenant-{id}</c> for a dynamic namespace (see <see cref="Namespace"/>).</param>
    public WebSocketGatewayAttribute(string @namespace) => Namespace = @namespace;

    /// <summary>The Socket.IO namespace, <c>/</c> by default. A name with <c>{value}</c> parts, such as
    /// <c>/tenant-{id}</c>, is a <b>dynamic namespace</b> (socket.io's <c>io.of(/regex/)</c>): every name it matches is
    /// a child namespace of its own, created when a client first connects to it, with this gateway's handlers. Each
    /// part matches one or more characters other than <c>/</c>; bind it in a handler with
    /// <see cref="FromNamespaceAttribute"/>. The gateway's <see cref="WebSocketServerAttribute"/> server is the
    /// parent: it emits to every child.</summary>
    public string Namespace { get; set; } = "/";

    /// <summary>Also deliver errors through the client's acknowledgement when it asked for one (the error payload
    /// becomes the ack's argument), besides the <c>exception</c> event. Default <see langword="false"/>, as in NestJS.</summary>
    public bool AcknowledgeErrors { get; set; }

    /// <summary>The events this gateway's namespace sends to its clients: an interface marked
    /// <see cref="GatewayClientEventsAttribute"/>. The generated contracts (TypeScript event maps, the AsyncAPI
    /// document) list them as the namespace's server-to-client events; send them with
    /// <c>Server.Typed&lt;TClient&gt;()</c>.</summary>
    public Type? ClientEvents { get; set; }
}

/// <summary>Marks a property that receives the namespace's <see cref="IGatewayServer"/> before
/// <see cref="IOnGatewayInit.AfterInit"/> runs (NestJS's <c>@WebSocketServer()</c>). Its type must be
/// <see cref="IGatewayServer"/> and it needs a setter.</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class WebSocketServerAttribute : Attribute;

/// <summary>Marks a gateway method as the handler of one event (NestJS's <c>@SubscribeMessage()</c>).</summary>
/// <param name="eventName">The event name the client emits.</param>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class SubscribeMessageAttribute(string eventName) : Attribute
{
    /// <summary>The event name the client emits.</summary>
    public string EventName { get; } = eventName;
}

/// <summary>Marks a gateway method that handles every event of its namespace no <see cref="SubscribeMessageAttribute"/>
/// handler takes: the fallback a socket.io server writes as a listener on unknown events. It binds as a handler does
/// (take <see cref="GatewayEventContext"/> for the event name and raw arguments) and its result, if any, is the ack.
/// One per namespace.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class UnhandledMessageAttribute : Attribute;

/// <summary>Marks a gateway method that sees every event its namespace receives, before the event's handler runs
/// (socket.io's <c>socket.onAny</c>): for logging, auditing or counting. It returns <see langword="void"/> and runs
/// synchronously; it cannot answer the event or stop it. Take <see cref="GatewayEventContext"/> for the event name and
/// raw arguments.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class OnAnyMessageAttribute : Attribute;

/// <summary>Marks a gateway method that sees every event its namespace sends to a socket — its own emits, broadcasts,
/// relayed broadcasts, volatile events that were sent; not acknowledgements (socket.io's <c>socket.onAnyOutgoing</c>).
/// It binds as a handler does, with the recipient as the socket: <see cref="IGatewaySocket"/>, <c>[MessageName]
/// string</c>, <see cref="GatewayEventContext"/> for the raw arguments, even a <c>[MessageBody]</c> of the payload's
/// type. It returns <see langword="void"/> (GW0021) and runs synchronously on the sending path: keep it short. An
/// exception it throws is logged; the event is sent anyway.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class OnAnyOutgoingAttribute : Attribute;

/// <summary>
/// Binds a parameter to the event's payload (NestJS's <c>@MessageBody()</c>): with one argument, that argument;
/// with several, all of them as an array; with a property name, that property of the first argument; with
/// <see cref="Index"/>, the argument at that position.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class MessageBodyAttribute : Attribute
{
    /// <summary>The whole payload.</summary>
    public MessageBodyAttribute()
    {
    }

    /// <summary>One property of the payload object, such as <c>[MessageBody("roomId")] string roomId</c>.</summary>
    /// <param name="property">The JSON property name.</param>
    public MessageBodyAttribute(string property) => Property = property;

    /// <summary>The JSON property of the payload object to bind, if any.</summary>
    public string? Property { get; }

    /// <summary>The position of the argument to bind (0 for the first); -1, the default, binds the whole payload.</summary>
    public int Index { get; set; } = -1;
}

/// <summary>Binds a parameter to the socket that sent the event (NestJS's <c>@ConnectedSocket()</c>); its type is
/// <see cref="IGatewaySocket"/>. A parameter of that type binds the same way without the attribute.</summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class ConnectedSocketAttribute : Attribute;

/// <summary>
/// Binds a parameter to the authenticated user: a <see cref="System.Security.Claims.ClaimsPrincipal"/>, or an app
/// type that implements <see cref="IWsUser{TSelf}"/> (built from the principal's claims). A non-nullable parameter
/// fails the event when the socket has no user; a nullable one receives <see langword="null"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class WsUserAttribute : Attribute;

/// <summary>Binds a parameter of type <see cref="AckCallback"/> to the client's acknowledgement callback (NestJS 11's
/// <c>@Ack()</c>). The handler then acknowledges by itself and its return value is not sent as the ack.</summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class AckAttribute : Attribute;

/// <summary>Binds a parameter to a value of the socket's dynamic namespace: for a gateway of
/// <c>/tenant-{id}</c>, <c>[FromNamespace] string id</c> (or <c>[FromNamespace("id")] int tenantId</c>) receives
/// <c>42</c> for an event on <c>/tenant-42</c>. The type is <see cref="string"/> or a type that parses from one
/// (<see cref="IParsable{TSelf}"/>: <see cref="int"/>, <see cref="Guid"/>…); a value that does not parse fails the event
/// as invalid input. The generator checks the name against the gateway's template (GW0020).</summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class FromNamespaceAttribute : Attribute
{
    /// <summary>Binds the value named like the parameter.</summary>
    public FromNamespaceAttribute()
    {
    }

    /// <summary>Binds the value <paramref name="name"/>.</summary>
    /// <param name="name">The name between braces in the namespace template.</param>
    public FromNamespaceAttribute(string name) => Name = name;

    /// <summary>The value's name in the template; null binds the value named like the parameter.</summary>
    public string? Name { get; }
}

/// <summary>Binds a <see cref="string"/> parameter to the name of the event being handled (NestJS's
/// <c>@MessageName()</c>).</summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class MessageNameAttribute : Attribute;
