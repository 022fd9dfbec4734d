namespace Gateways;

/// <summary>
/// Marks an interface whose methods are events the server sends to clients: each method is one event, named after
/// the method in camelCase (<c>NewMessage</c> → <c>newMessage</c>) unless <see cref="ClientEventAttribute"/> names it;
/// its parameters are the event's arguments. Methods return <see langword="void"/>. The Gateways source generator
/// implements the interface; send with <see cref="GatewayClientEvents.Typed{TClient}(IGatewayEmitter)"/>, and name
/// it in <see cref="WebSocketGatewayAttribute.ClientEvents"/> so the generated contracts list its events for the
/// gateway's namespace.
/// </summary>
[AttributeUsage(AttributeTargets.Interface, Inherited = false)]
public sealed class GatewayClientEventsAttribute : Attribute;

/// <summary>Names the event a method of a <see cref="GatewayClientEventsAttribute"/> interface sends.</summary>
/// <param name="eventName">The event name the client listens to.</param>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class ClientEventAttribute(string eventName) : Attribute
{
    /// <summary>The event name the client listens to.</summary>
    public string EventName { get; } = eventName;
}

/// <summary>
/// Marks a <see langword="partial"/> class that the Gateways source generator fills with a typed .NET client of a
/// gateway, over <c>Gateways.Testing</c>'s <c>GatewayTestClient</c> (the project must reference that package): an
/// <c>{Event}Async</c> method per event the gateway handles, returning its acknowledgement's type, and
/// <c>On{Event}</c> / <c>WaitFor{Event}Async</c> per event of its <see cref="WebSocketGatewayAttribute.ClientEvents"/>.
/// </summary>
/// <param name="gateway">The gateway class (from this project or a referenced one).</param>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class GatewayClientAttribute(Type gateway) : Attribute
{
    /// <summary>The gateway class.</summary>
    public Type Gateway { get; } = gateway;
}
