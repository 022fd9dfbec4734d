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
        OutgoingListeners = [.. builder.OutgoingListeners];
    }

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
