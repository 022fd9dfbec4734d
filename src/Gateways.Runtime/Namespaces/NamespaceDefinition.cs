using System.Collections.Frozen;
using Gateways.Hosting;

namespace Gateways.Namespaces;

/// <summary>
/// What a namespace declaration gives every namespace made from it: middlewares, lifecycle hooks and handler
/// pipelines, built once. A dynamic namespace's children all share their parent's.
/// </summary>
internal sealed class NamespaceDefinition
{
    public NamespaceDefinition(GatewayNamespaceBuilder builder, IServiceProvider services, IReadOnlyList<Type> filters)
    {
        Middlewares = [.. builder.Middlewares];
        ConnectionHandlers = [.. builder.ConnectionHandlers];
        DisconnectHandlers = [.. builder.DisconnectHandlers];
        DisconnectingHandlers = [.. builder.DisconnectingHandlers];
        SessionExpiredHandlers = [.. builder.SessionExpiredHandlers];
        HandlerMetadata = builder.HandlerMetadata.ToFrozenDictionary(StringComparer.Ordinal);
        EventHandlers = builder.EventHandlers.ToFrozenDictionary(
            pair => pair.Key,
            pair => HandlerPipeline.Build(pair.Key, pair.Value, HandlerMetadata.GetValueOrDefault(pair.Key), services, filters),
            StringComparer.Ordinal);
        // The fallback passes the same authorization, guards and filters as any handler.
        UnhandledHandler = builder.UnhandledHandler is { } unhandled
            ? HandlerPipeline.Build("(unhandled)", unhandled, builder.UnhandledMetadata, services, filters)
            : null;
        UnhandledMetadata = builder.UnhandledMetadata;
        AnyListeners = [.. builder.AnyListeners];
        OutgoingListeners = [.. builder.OutgoingListeners, .. builder.OutgoingHandlers.Select(handler => Outgoing(handler, services))];
    }

    /// <summary>An [OnAnyOutgoing] method as an outgoing listener: called with the recipient and the event, as a
    /// handler context (its services from a scope made only if it asks). A failure reaches the sender's log.</summary>
    private static Action<IGatewaySocket, string, EventArguments> Outgoing(GatewayEventHandler handler, IServiceProvider services) =>
        (socket, eventName, arguments) =>
        {
            var context = new EventContext(services, (GatewaySocket)socket, eventName, arguments, ackId: -1);
            try
            {
                var running = handler(context);
                if (!running.IsCompletedSuccessfully)
                {
                    running.AsTask().GetAwaiter().GetResult(); // void methods complete at once; surface a fault
                }
            }
            finally
            {
                context.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        };

    public GatewayConnectionMiddleware[] Middlewares { get; }

    public Func<IGatewaySocket, IServiceProvider, ValueTask>[] ConnectionHandlers { get; }

    public Func<IGatewaySocket, string, ValueTask>[] DisconnectHandlers { get; }

    public Action<IGatewaySocket, string>[] DisconnectingHandlers { get; }

    public Func<ExpiredSession, IServiceProvider, ValueTask>[] SessionExpiredHandlers { get; }

    public FrozenDictionary<string, Dispatch.GatewayHandlerMetadata> HandlerMetadata { get; }

    public FrozenDictionary<string, GatewayEventHandler> EventHandlers { get; }

    public GatewayEventHandler? UnhandledHandler { get; }

    public Dispatch.GatewayHandlerMetadata? UnhandledMetadata { get; }

    public GatewayEventHandler[] AnyListeners { get; }

    public Action<IGatewaySocket, string, EventArguments>[] OutgoingListeners { get; }
}
