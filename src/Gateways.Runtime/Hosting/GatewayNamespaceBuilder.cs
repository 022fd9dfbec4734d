namespace Gateways.Hosting;

/// <summary>
/// Declares what a namespace does: its connection middlewares (socket.io's <c>io.use</c>), what runs when a socket
/// connects or disconnects, and its event handlers. Several calls for one namespace add up.
/// </summary>
public sealed class GatewayNamespaceBuilder : Dispatch.IGatewayHandlerRegistry
{
    internal GatewayNamespaceBuilder(string name) => Name = name;

    /// <summary>The namespace name.</summary>
    public string Name { get; }

    internal List<GatewayConnectionMiddleware> Middlewares { get; } = [];

    internal List<Func<IGatewaySocket, IServiceProvider, ValueTask>> ConnectionHandlers { get; } = [];

    internal List<Func<IGatewaySocket, string, ValueTask>> DisconnectHandlers { get; } = [];

    internal List<Action<IGatewaySocket, string>> DisconnectingHandlers { get; } = [];

    internal List<Func<ExpiredSession, IServiceProvider, ValueTask>> SessionExpiredHandlers { get; } = [];

    internal Dictionary<string, GatewayEventHandler> EventHandlers { get; } = new(StringComparer.Ordinal);

    /// <summary>Adds a connection middleware; middlewares run in the order added.</summary>
    /// <param name="middleware">The middleware.</param>
    public GatewayNamespaceBuilder Use(GatewayConnectionMiddleware middleware)
    {
        Middlewares.Add(middleware);
        return this;
    }

    /// <summary>Runs <paramref name="handler"/> when a socket has joined the namespace (socket.io's
    /// <c>on("connection")</c>).</summary>
    /// <param name="handler">Receives the socket and the services of a scope for this call.</param>
    public GatewayNamespaceBuilder OnConnection(Func<IGatewaySocket, IServiceProvider, ValueTask> handler)
    {
        ConnectionHandlers.Add(handler);
        return this;
    }

    /// <summary>Runs <paramref name="handler"/> when a socket has joined the namespace.</summary>
    /// <param name="handler">Receives the socket.</param>
    public GatewayNamespaceBuilder OnConnection(Action<IGatewaySocket> handler)
    {
        ConnectionHandlers.Add((socket, _) =>
        {
            handler(socket);
            return ValueTask.CompletedTask;
        });
        return this;
    }

    /// <summary>Runs for each socket that is leaving, while it is still in its rooms (socket.io's
    /// <c>disconnecting</c>), before the <see cref="OnDisconnect"/> handlers.</summary>
    /// <param name="handler">The socket and the reason; synchronous, since the socket leaves its rooms when it returns.</param>
    public GatewayNamespaceBuilder OnDisconnecting(Action<IGatewaySocket, string> handler)
    {
        DisconnectingHandlers.Add(handler);
        return this;
    }

    /// <summary>Runs <paramref name="handler"/> after a socket left the namespace, with socket.io's reason
    /// (<c>client namespace disconnect</c>, <c>transport close</c>, <c>ping timeout</c>, …).</summary>
    /// <param name="handler">Receives the socket and the reason.</param>
    public GatewayNamespaceBuilder OnDisconnect(Func<IGatewaySocket, string, ValueTask> handler)
    {
        DisconnectHandlers.Add(handler);
        return this;
    }

    /// <summary>Runs <paramref name="handler"/> when a lost socket's session expires without its client coming back
    /// (connection state recovery is on and the window passed, or the session limit pushed it out): once per session,
    /// in a DI scope of its own, within a minute (or the window, if shorter) of the expiry.</summary>
    /// <param name="handler">Receives the session and the scope's services.</param>
    public GatewayNamespaceBuilder OnSessionExpired(Func<ExpiredSession, IServiceProvider, ValueTask> handler)
    {
        SessionExpiredHandlers.Add(handler);
        return this;
    }

    /// <summary>Handles the event <paramref name="eventName"/>. One handler per event name and namespace.</summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="handler">The handler.</param>
    /// <exception cref="InvalidOperationException">The event already has a handler, or its name is reserved.</exception>
    public GatewayNamespaceBuilder On(string eventName, GatewayEventHandler handler)
    {
        if (SocketIO.SocketIOPacketParser.ReservedEventNames.Contains(eventName))
        {
            throw new InvalidOperationException($"'{eventName}' is a reserved event name in Socket.IO; clients cannot send it.");
        }
        if (!EventHandlers.TryAdd(eventName, handler))
        {
            throw new InvalidOperationException($"Event '{eventName}' in namespace '{Name}' already has a handler; each event of a namespace has one handler, across gateways too.");
        }
        return this;
    }

    /// <summary>Handles the event <paramref name="eventName"/> synchronously.</summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="handler">The handler.</param>
    public GatewayNamespaceBuilder On(string eventName, Action<GatewayEventContext> handler) =>
        On(eventName, context =>
        {
            handler(context);
            return ValueTask.CompletedTask;
        });

    internal Dictionary<string, Dispatch.GatewayHandlerMetadata> HandlerMetadata { get; } = new(StringComparer.Ordinal);

    internal GatewayEventHandler? UnhandledHandler { get; private set; }

    internal Dispatch.GatewayHandlerMetadata? UnhandledMetadata { get; private set; }

    internal List<GatewayEventHandler> AnyListeners { get; } = [];

    /// <summary>Handles every event of the namespace that no <see cref="On(string, GatewayEventHandler)"/> handler
    /// takes, instead of dropping it with a log. One per namespace.</summary>
    /// <param name="handler">The handler; <see cref="GatewayEventContext.EventName"/> says which event it got.</param>
    public GatewayNamespaceBuilder OnUnhandled(GatewayEventHandler handler)
    {
        if (UnhandledHandler is not null)
        {
            throw new InvalidOperationException($"Namespace '{Name}' already has a handler for unhandled events; it has one, across gateways too.");
        }
        UnhandledHandler = handler;
        return this;
    }

    /// <summary>Sees every event the namespace receives, before its handler runs (socket.io's <c>socket.onAny</c>).
    /// Synchronous: it cannot answer or stop the event; an exception it throws is logged.</summary>
    /// <param name="listener">The listener.</param>
    public GatewayNamespaceBuilder OnAny(Action<GatewayEventContext> listener)
    {
        AnyListeners.Add(context =>
        {
            listener(context);
            return ValueTask.CompletedTask;
        });
        return this;
    }

    internal List<Action<IGatewaySocket, string, EventArguments>> OutgoingListeners { get; } = [];

    /// <summary>Sees every event this server sends to a socket of the namespace — its own emits and broadcasts, and
    /// broadcasts of other servers delivered here — just before it is queued (socket.io's <c>onAnyOutgoing</c>), not
    /// acknowledgements. The arguments are read back from the encoded packet, so a listener costs a parse per
    /// delivery: for debugging and auditing, not for hot paths. An exception it throws is logged.</summary>
    /// <param name="listener">The socket, the event name and the arguments.</param>
    public GatewayNamespaceBuilder OnAnyOutgoing(Action<IGatewaySocket, string, EventArguments> listener)
    {
        OutgoingListeners.Add(listener);
        return this;
    }

    void Dispatch.IGatewayHandlerRegistry.SetUnhandledHandler(GatewayEventHandler handler, Dispatch.GatewayHandlerMetadata? metadata)
    {
        OnUnhandled(handler);
        UnhandledMetadata = metadata;
    }

    void Dispatch.IGatewayHandlerRegistry.AddAnyListener(GatewayEventHandler listener) => AnyListeners.Add(listener);

    /// <summary>The [OnAnyOutgoing] methods of the namespace's gateways, bound as handlers.</summary>
    internal List<GatewayEventHandler> OutgoingHandlers { get; } = [];

    void Dispatch.IGatewayHandlerRegistry.AddOutgoingListener(GatewayEventHandler listener) => OutgoingHandlers.Add(listener);

    void Dispatch.IGatewayHandlerRegistry.AddEventHandler(string eventName, GatewayEventHandler handler,
        Dispatch.GatewayHandlerMetadata? metadata)
    {
        On(eventName, handler);
        if (metadata is not null)
        {
            HandlerMetadata[eventName] = metadata;
        }
    }

    void Dispatch.IGatewayHandlerRegistry.AddConnectionHandler(Func<IGatewaySocket, ValueTask> handler) =>
        ConnectionHandlers.Add((socket, _) => handler(socket));

    void Dispatch.IGatewayHandlerRegistry.AddDisconnectingHandler(Action<IGatewaySocket, string> handler) =>
        OnDisconnecting(handler);

    void Dispatch.IGatewayHandlerRegistry.AddDisconnectHandler(Func<IGatewaySocket, string, ValueTask> handler) =>
        DisconnectHandlers.Add(handler);

    void Dispatch.IGatewayHandlerRegistry.AddSessionExpiredHandler(Func<ExpiredSession, ValueTask> handler) =>
        SessionExpiredHandlers.Add((session, _) => handler(session));
}
