using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Gateways.SourceGen.Diagnostics;

/// <summary>Every diagnostic the generator reports; documented in docs/diagnostics.md and listed in
/// AnalyzerReleases.Unshipped.md.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "Gateways";

    /// <summary>GW0000: "The Gateways generator failed on '{0}': {1}".</summary>
    public static readonly DiagnosticDescriptor GeneratorFailure = Create("GW0000", "The Gateways generator failed",
        "The Gateways generator failed on '{0}': {1}", DiagnosticSeverity.Error);

    /// <summary>GW0001: "Gateway '{0}' must be a non-abstract, non-static, non-generic class".</summary>
    public static readonly DiagnosticDescriptor InvalidGatewayClass = Create("GW0001", "Gateway class cannot be instantiated",
        "Gateway '{0}' must be a non-abstract, non-static, non-generic class", DiagnosticSeverity.Error);

    /// <summary>GW0002: "Gateway '{0}' must be public or internal so generated code can use it".</summary>
    public static readonly DiagnosticDescriptor GatewayNotAccessible = Create("GW0002", "Gateway class is not accessible",
        "Gateway '{0}' must be public or internal so generated code can use it", DiagnosticSeverity.Error);

    /// <summary>GW0003: "Handler '{0}' must be public or internal so generated code can call it".</summary>
    public static readonly DiagnosticDescriptor HandlerNotAccessible = Create("GW0003", "Handler is not accessible",
        "Handler '{0}' must be public or internal so generated code can call it", DiagnosticSeverity.Error);

    /// <summary>GW0004: "Event '{0}' of namespace '{1}' is already handled by '{2}'".</summary>
    public static readonly DiagnosticDescriptor DuplicateEvent = Create("GW0004", "Event handled twice in one namespace",
        "Event '{0}' of namespace '{1}' is already handled by '{2}'", DiagnosticSeverity.Error);

    /// <summary>GW0005: "Parameter '{0}' of handler '{1}' cannot be bound: {2}".</summary>
    public static readonly DiagnosticDescriptor UnsupportedParameter = Create("GW0005", "Unsupported handler parameter",
        "Parameter '{0}' of handler '{1}' cannot be bound: {2}", DiagnosticSeverity.Error);

    /// <summary>GW0006: "Handler '{0}' binds the whole message body more than once ('{1}' and '{2}')".</summary>
    public static readonly DiagnosticDescriptor SeveralBodies = Create("GW0006", "More than one whole-body parameter",
        "Handler '{0}' binds the whole message body more than once ('{1}' and '{2}'); give [MessageBody] a property name or an Index", DiagnosticSeverity.Error);

    /// <summary>GW0007: "[WebSocketServer] property '{0}' must be of type IGatewayServer and have a settable, accessible setter".</summary>
    public static readonly DiagnosticDescriptor InvalidServerProperty = Create("GW0007", "Invalid [WebSocketServer] property",
        "[WebSocketServer] property '{0}' must be of type IGatewayServer and have a public or internal setter", DiagnosticSeverity.Error);

    /// <summary>GW0008: "Handler '{0}' is async void; return Task or ValueTask so errors reach the client".</summary>
    public static readonly DiagnosticDescriptor AsyncVoidHandler = Create("GW0008", "Async void handler",
        "Handler '{0}' is async void; return Task or ValueTask so errors reach the client and the logs", DiagnosticSeverity.Error);

    /// <summary>GW0009: "'{0}' is a reserved event name in Socket.IO; clients cannot send it".</summary>
    public static readonly DiagnosticDescriptor ReservedEventName = Create("GW0009", "Reserved event name",
        "'{0}' is a reserved event name in Socket.IO; clients cannot send it", DiagnosticSeverity.Error);

    /// <summary>GW0010: "Handler '{0}' takes an [Ack] callback and returns a value; the value would never be sent".</summary>
    public static readonly DiagnosticDescriptor AckWithResult = Create("GW0010", "[Ack] together with a result",
        "Handler '{0}' takes an [Ack] callback and returns a value; the value would never be sent, return void, Task or ValueTask", DiagnosticSeverity.Error);

    /// <summary>GW0011: "Handler '{0}' needs a non-empty event name".</summary>
    public static readonly DiagnosticDescriptor EmptyEventName = Create("GW0011", "Empty event name",
        "Handler '{0}' needs a non-empty event name", DiagnosticSeverity.Error);

    /// <summary>GW0012: "Handler '{0}' must be an instance method, not static or generic".</summary>
    public static readonly DiagnosticDescriptor InvalidHandlerMethod = Create("GW0012", "Handler is static or generic",
        "Handler '{0}' must be a non-generic instance method", DiagnosticSeverity.Error);

    /// <summary>GW0013: "Gateway namespace '{0}' of '{1}' must start with '/'".</summary>
    public static readonly DiagnosticDescriptor InvalidNamespace = Create("GW0013", "Invalid namespace name",
        "Gateway namespace '{0}' of '{1}' must start with '/'", DiagnosticSeverity.Error);

    /// <summary>GW0014: "Gateway '{0}' has no [SubscribeMessage] handler, no lifecycle hook, no [WebSocketServer] property and no [Authorize]".</summary>
    public static readonly DiagnosticDescriptor EmptyGateway = Create("GW0014", "Gateway does nothing",
        "Gateway '{0}' has no [SubscribeMessage] handler, no lifecycle hook, no [WebSocketServer] property and no [Authorize]", DiagnosticSeverity.Warning);

    /// <summary>GW0015: "Handler '{0}' is in '{1}', which is not a [WebSocketGateway] and no gateway derives from; it
    /// never runs: add [WebSocketGateway] to '{1}' or move the handler into a gateway".</summary>
    public static readonly DiagnosticDescriptor HandlerOutsideGateway = Create("GW0015", "Handler outside a gateway",
        "Handler '{0}' is in '{1}', which is not a [WebSocketGateway] and no gateway derives from; it never runs: add [WebSocketGateway] to '{1}' or move the handler into a gateway",
        DiagnosticSeverity.Warning);

    /// <summary>GW0016: "Parameter '{0}' of handler '{1}' has no binding: {2}; mark it [FromServices] to take it from
    /// DI, or [MessageBody] to bind the payload".</summary>
    public static readonly DiagnosticDescriptor AmbiguousParameter = Create("GW0016", "Parameter without a binding",
        "Parameter '{0}' of handler '{1}' has no binding: {2}; mark it [FromServices] to take it from DI, or [MessageBody] to bind the payload",
        DiagnosticSeverity.Error);

    /// <summary>GW0017: "{0} is serialized {1}, but reflection-based JSON is off (Native AOT) and {2}"; reported by
    /// the AOT serialization analyzer.</summary>
    public static readonly DiagnosticDescriptor NotSerializableWithoutReflection = Create("GW0017", "Not serializable without reflection",
        "{0} is serialized {1}, but reflection-based JSON is off (Native AOT) and {2}", DiagnosticSeverity.Warning);

    /// <summary>GW0018: "[OnAnyMessage] method '{0}' must return void: it sees each event before the event's handler
    /// and cannot answer it".</summary>
    public static readonly DiagnosticDescriptor AnyListenerReturns = Create("GW0018", "onAny listener returns a value",
        "[OnAnyMessage] method '{0}' must return void: it sees each event before the event's handler and cannot answer it; use [UnhandledMessage] to answer events no handler takes",
        DiagnosticSeverity.Error);

    /// <summary>GW0019: "Namespace template '{0}' of '{1}' is malformed: {2}".</summary>
    public static readonly DiagnosticDescriptor InvalidNamespaceTemplate = Create("GW0019", "Invalid namespace template",
        "Namespace template '{0}' of '{1}' is malformed: {2}", DiagnosticSeverity.Error);

    /// <summary>GW0020: "Parameter '{0}' of handler '{1}' binds namespace value '{2}', but namespace '{3}' has no '{{{2}}}'".</summary>
    public static readonly DiagnosticDescriptor UnknownNamespaceValue = Create("GW0020", "Namespace value not in the template",
        "Parameter '{0}' of handler '{1}' binds namespace value '{2}', but the gateway's namespace '{3}' has no '{{{2}}}'",
        DiagnosticSeverity.Error);

    /// <summary>GW0021: "[OnAnyOutgoing] method '{0}' must return void: it sees each event as it is sent and cannot change it".</summary>
    public static readonly DiagnosticDescriptor OutgoingListenerReturns = Create("GW0021", "onAnyOutgoing listener returns a value",
        "[OnAnyOutgoing] method '{0}' must return void: it sees each event as it is sent and cannot change it",
        DiagnosticSeverity.Error);

    /// <summary>GW0022: "ClientEvents of gateway '{0}' is '{1}', which is not an interface marked [GatewayClientEvents]".</summary>
    public static readonly DiagnosticDescriptor InvalidClientEvents = Create("GW0022", "ClientEvents is not a client-events interface",
        "ClientEvents of gateway '{0}' is '{1}', which is not an interface marked [GatewayClientEvents]",
        DiagnosticSeverity.Error);

    /// <summary>GW0023: "Client event method '{0}' must be a non-generic method returning void: it sends one event and
    /// waits for nothing".</summary>
    public static readonly DiagnosticDescriptor InvalidClientEventMethod = Create("GW0023", "Invalid client event method",
        "Client event method '{0}' must be a non-generic method returning void: it sends one event and waits for nothing",
        DiagnosticSeverity.Error);

    /// <summary>GW0024: "Client events '{0}' and '{1}' of '{2}' are both named '{3}'".</summary>
    public static readonly DiagnosticDescriptor DuplicateClientEvent = Create("GW0024", "Duplicate client event",
        "Client events '{0}' and '{1}' of '{2}' are both named '{3}'",
        DiagnosticSeverity.Error);

    /// <summary>GW0025: "[GatewayClient] class '{0}' cannot be generated: {1}".</summary>
    public static readonly DiagnosticDescriptor InvalidTypedClient = Create("GW0025", "Invalid typed client",
        "[GatewayClient] class '{0}' cannot be generated: {1}",
        DiagnosticSeverity.Error);

    private static readonly Dictionary<string, DiagnosticDescriptor> All = new[]
    {
        GeneratorFailure, InvalidGatewayClass, GatewayNotAccessible, HandlerNotAccessible, DuplicateEvent,
        UnsupportedParameter, SeveralBodies, InvalidServerProperty, AsyncVoidHandler, ReservedEventName, AckWithResult,
        EmptyEventName, InvalidHandlerMethod, InvalidNamespace, EmptyGateway, HandlerOutsideGateway,
        AmbiguousParameter, NotSerializableWithoutReflection, AnyListenerReturns, InvalidNamespaceTemplate, UnknownNamespaceValue,
        OutgoingListenerReturns, InvalidClientEvents, InvalidClientEventMethod, DuplicateClientEvent, InvalidTypedClient,
    }.ToDictionary(d => d.Id);

    public static DiagnosticDescriptor ById(string id) => All[id];

    /// <summary>Where each id is explained, with its fix: docs/diagnostics.md, anchored by the lower-case id. Keep it
    /// in step with PackageProjectUrl in Directory.Build.props.</summary>
    public const string HelpLinkBase = "https://github.com/gateways-dotnet/gateways/blob/main/docs/diagnostics.md#";

    private static DiagnosticDescriptor Create(string id, string title, string message, DiagnosticSeverity severity) =>
        new(id, title, message, Category, severity, isEnabledByDefault: true,
            description: $"See docs/diagnostics.md#{id.ToLowerInvariant()} of the Gateways repository.",
            helpLinkUri: HelpLinkBase + id.ToLowerInvariant());

    /// <summary>Every descriptor, for the documentation test.</summary>
    public static IEnumerable<DiagnosticDescriptor> Every => All.Values;
}
