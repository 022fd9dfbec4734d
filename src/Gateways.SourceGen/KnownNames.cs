namespace Gateways.SourceGen;

/// <summary>Metadata names of the Gateways.Abstractions types the generator recognizes (the generator does not
/// reference Abstractions, which targets net10).</summary>
internal static class KnownNames
{
    public const string WebSocketGatewayAttribute = "Gateways.WebSocketGatewayAttribute";
    public const string WebSocketServerAttribute = "Gateways.WebSocketServerAttribute";
    public const string SubscribeMessageAttribute = "Gateways.SubscribeMessageAttribute";
    public const string UnhandledMessageAttribute = "Gateways.UnhandledMessageAttribute";
    public const string OnAnyMessageAttribute = "Gateways.OnAnyMessageAttribute";

    /// <summary>The event names a catch-all handler is declared under, for the duplicate checks and the logs: no
    /// client can send them (they are not valid attribute arguments of [SubscribeMessage] either, being bracketed
    /// the same way only by convention).</summary>
    public const string UnhandledEventName = "[UnhandledMessage]";
    public const string AnyEventName = "[OnAnyMessage]";
    public const string OnAnyOutgoingAttribute = "Gateways.OnAnyOutgoingAttribute";
    public const string OutgoingEventName = "[OnAnyOutgoing]";
    public const string MessageBodyAttribute = "Gateways.MessageBodyAttribute";
    public const string ConnectedSocketAttribute = "Gateways.ConnectedSocketAttribute";
    public const string WsUserAttribute = "Gateways.WsUserAttribute";
    public const string AckAttribute = "Gateways.AckAttribute";
    public const string MessageNameAttribute = "Gateways.MessageNameAttribute";
    public const string FromNamespaceAttribute = "Gateways.FromNamespaceAttribute";
    public const string GatewayClientEventsAttribute = "Gateways.GatewayClientEventsAttribute";
    public const string ClientEventAttribute = "Gateways.ClientEventAttribute";
    public const string GatewayClientAttribute = "Gateways.GatewayClientAttribute";
    public const string GatewayTestClient = "Gateways.Testing.GatewayTestClient";

    public const string UseGuardsAttribute = "Gateways.UseGuardsAttribute";
    public const string UseFiltersAttribute = "Gateways.UseFiltersAttribute";
    public const string AuthorizeAttribute = "Microsoft.AspNetCore.Authorization.AuthorizeAttribute";
    public const string AllowAnonymousAttribute = "Microsoft.AspNetCore.Authorization.AllowAnonymousAttribute";
    public const string FromServiceMetadata = "Microsoft.AspNetCore.Http.Metadata.IFromServiceMetadata";
    public const string FromServicesAttribute = "Microsoft.AspNetCore.Mvc.FromServicesAttribute";
    public const string FromKeyedServicesAttribute = "Microsoft.Extensions.DependencyInjection.FromKeyedServicesAttribute";
    public const string JsonDerivedTypeAttribute = "System.Text.Json.Serialization.JsonDerivedTypeAttribute";
    public const string ValidationAttribute = "System.ComponentModel.DataAnnotations.ValidationAttribute";
    public const string ValidatableObject = "System.ComponentModel.DataAnnotations.IValidatableObject";

    public const string GatewaySocket = "Gateways.IGatewaySocket";
    public const string GatewayServer = "Gateways.IGatewayServer";
    public const string GatewayEventContext = "Gateways.GatewayEventContext";
    public const string AckCallback = "Gateways.AckCallback";
    public const string WsResponseOfT = "Gateways.WsResponse`1";
    public const string WsUser = "Gateways.IWsUser`1";
    public const string OnGatewayInit = "Gateways.IOnGatewayInit";
    public const string OnGatewayConnection = "Gateways.IOnGatewayConnection";
    public const string OnGatewayConnectionAsync = "Gateways.IOnGatewayConnectionAsync";
    public const string OnGatewayDisconnect = "Gateways.IOnGatewayDisconnect";
    public const string OnGatewayDisconnecting = "Gateways.IOnGatewayDisconnecting";
    public const string OnGatewayDisconnectAsync = "Gateways.IOnGatewayDisconnectAsync";
    public const string OnSessionExpired = "Gateways.IOnSessionExpired";

    public const string ClaimsPrincipal = "System.Security.Claims.ClaimsPrincipal";
    public const string CancellationToken = "System.Threading.CancellationToken";
    public const string ServiceProvider = "System.IServiceProvider";
    public const string Task = "System.Threading.Tasks.Task";
    public const string TaskOfT = "System.Threading.Tasks.Task`1";
    public const string ValueTask = "System.Threading.Tasks.ValueTask";
    public const string ValueTaskOfT = "System.Threading.Tasks.ValueTask`1";
    public const string AsyncEnumerable = "System.Collections.Generic.IAsyncEnumerable`1";

    /// <summary>Event names Socket.IO clients cannot send (socket.io-parser's RESERVED_EVENTS).</summary>
    public static readonly string[] ReservedEvents =
        { "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener" };
}
