using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateways.Namespaces;

/// <summary>
/// Runs one connection's events and connection handlers: the connection's rate budget (shared with its CONNECT
/// packets, and kept per Engine.IO connection so reconnecting a namespace does not reset it), the input limits, the
/// handler lookup, and the scheduling — a handler starts without making the read loop wait, up to
/// <see cref="Hosting.GatewaysOptions.MaxConcurrentEventsPerConnection"/>; past it the read loop waits for a slot, so a
/// flooding client slows only itself. Metrics and the handler's span are taken here.
/// </summary>
internal sealed class EventInvoker
{
    private readonly SocketIOServer _server;
    private readonly ILogger _logger;
    private readonly string _sessionId;
    private readonly Action _disconnectAll;
    private readonly SemaphoreSlim _eventSlots;
    private readonly Security.EventRateLimiter.ConnectionBucket? _rateBucket;

    /// <param name="server">The server: options, rate limiter, errors, services.</param>
    /// <param name="sessionId">The Engine.IO session, for logs.</param>
    /// <param name="disconnectAll">Closes the connection (a client that keeps exceeding the rate limit).</param>
    public EventInvoker(SocketIOServer server, string sessionId, Action disconnectAll)
    {
        _server = server;
        _logger = server.Logger;
        _sessionId = sessionId;
        _disconnectAll = disconnectAll;
        _eventSlots = new SemaphoreSlim(server.Options.MaxConcurrentEventsPerConnection);
        _rateBucket = server.RateLimiter.CreateConnectionBucket();
    }

    /// <summary>Takes one permit of the connection's rate budget (and the user's, when known).</summary>
    public bool TryAcquire(string? userId) => _server.RateLimiter.TryAcquire(_rateBucket, userId);

    /// <summary>Counts a refusal for the rate limit; past the limit within the window, closes the connection.</summary>
    public void OnRateLimited(string? userId)
    {
        var limit = _server.Options.RateLimit.DisconnectAfterRejections;
        if (_rateBucket is null || limit <= 0)
        {
            return;
        }
        if (_rateBucket.RecordRejection() == limit)
        {
            SocketIOLog.RateLimitAbuse(_logger, _sessionId, userId ?? "-", limit, _server.Options.RateLimit.RejectionWindow);
            _disconnectAll();
        }
    }

    /// <summary>One event of <paramref name="socket"/>: the rate budget, the input limits and the handler lookup
    /// refuse it or the handler is scheduled. Refusals answer the sender only (<c>exception</c>) and log at Debug.</summary>
    public ValueTask InvokeAsync(GatewaySocket socket, string eventName, EventArguments arguments, long ackId,
        int payloadDepth)
    {
        var limits = _server.Options;
        // Only declared names become a metric attribute, so a client cannot mint time series.
        var metricEvent = limits.MetricsIncludeEventName
            ? socket.GatewayNamespace.EventHandlers.ContainsKey(eventName) ? eventName : "(unknown)"
            : null;
        Internal.GatewaysMetrics.EventReceived(TelemetryNamespace(socket), metricEvent);
        if (!TryAcquire(socket.UserId))
        {
            Internal.GatewaysMetrics.EventRefused(TelemetryNamespace(socket), "rate_limit");
            SocketIOLog.EventOverLimit(_logger, socket.Id, eventName.Length > 64 ? eventName[..64] + "…" : eventName, "rate limit");
            _server.Errors.Refuse(socket, eventName.Length > limits.MaxEventNameLength ? "" : eventName, null, "Too many requests");
            OnRateLimited(socket.UserId);
            return ValueTask.CompletedTask;
        }
        var refusal = Security.EventLimits.Refusal(limits, eventName, arguments.Count, payloadDepth);
        if (refusal is not null)
        {
            Internal.GatewaysMetrics.EventRefused(TelemetryNamespace(socket), "limit");
            SocketIOLog.EventOverLimit(_logger, socket.Id, eventName.Length > 64 ? eventName[..64] + "…" : eventName, refusal);
            _server.Errors.Refuse(socket, eventName.Length > limits.MaxEventNameLength ? "" : eventName, null, refusal);
            return ValueTask.CompletedTask;
        }
        var @namespace = socket.GatewayNamespace;
        var metadata = @namespace.HandlerMetadata.GetValueOrDefault(eventName);
        if (!@namespace.EventHandlers.TryGetValue(eventName, out var handler))
        {
            handler = @namespace.UnhandledHandler;
            metadata = @namespace.UnhandledMetadata;
        }
        if (handler is null && @namespace.AnyListeners.Length == 0)
        {
            return RefuseUnhandled(socket, eventName);
        }
        string? traceParent = null;
        string? traceState = null;
        if (limits.AcceptClientTraceContext && arguments.TryTakeTraceContext(out traceParent, out traceState, out var rest))
        {
            arguments = rest;
        }
        var context = new EventContext(_server.Services, socket, eventName, arguments, ackId, metadata);
        foreach (var listener in @namespace.AnyListeners)
        {
            NotifyListener(listener, context);
        }
        if (handler is null)
        {
            return RefuseUnhandled(socket, eventName); // the listeners saw it; nothing handles it
        }
        var activity = Internal.GatewaysTracing.CreateEvent(TelemetryNamespace(socket), eventName, socket.Id, socket.UserId, ackId >= 0,
            traceParent, traceState);
        return StartTrackedAsync(new EventWork(context, handler, _server.Errors, metricEvent, activity));
    }

    private static string TelemetryNamespace(IGatewaySocket socket) =>
        socket is GatewaySocket local ? local.TelemetryNamespace : socket.Namespace;

    private ValueTask RefuseUnhandled(GatewaySocket socket, string eventName)
    {
        Internal.GatewaysMetrics.EventRefused(TelemetryNamespace(socket), "no_handler");
        SocketIOLog.NoHandler(_logger, eventName, socket.Namespace, socket.Id);
        return ValueTask.CompletedTask;
    }

    /// <summary>Runs an onAny listener inline; it cannot fail the event (a fault or an unfinished task is logged).</summary>
    private void NotifyListener(GatewayEventHandler listener, EventContext context)
    {
        try
        {
            var running = listener(context);
            if (!running.IsCompletedSuccessfully)
            {
                _ = ObserveListenerAsync(running, context);
            }
        }
        catch (Exception ex)
        {
            SocketIOLog.AnyListenerFailed(_logger, context.EventName, context.Socket.Namespace, context.Socket.Id, ex);
        }
    }

    private async Task ObserveListenerAsync(ValueTask running, EventContext context)
    {
        try
        {
            await running;
        }
        catch (Exception ex)
        {
            SocketIOLog.AnyListenerFailed(_logger, context.EventName, context.Socket.Namespace, context.Socket.Id, ex);
        }
    }

    /// <summary>Starts a handler without making the read loop wait for it, up to the per-connection limit. Past the
    /// limit the read loop waits for a slot, so a flooding client slows only itself.</summary>
    private async ValueTask StartTrackedAsync<TWork>(TWork work) where TWork : ITrackedWork
    {
        await _eventSlots.WaitAsync();
        ValueTask running;
        try
        {
            running = work.StartAsync();
        }
        catch (Exception ex)
        {
            await FailAsync(work, ex);
            await work.CompleteAsync(failed: true);
            _eventSlots.Release();
            return;
        }
        if (running.IsCompletedSuccessfully)
        {
            await work.CompleteAsync(failed: false);
            _eventSlots.Release();
            return;
        }
        _ = FinishAsync(running, work);
    }

    /// <summary>Error handling must not take the connection down: a failing filter is logged and swallowed.</summary>
    private async ValueTask FailAsync<TWork>(TWork work, Exception exception) where TWork : ITrackedWork
    {
        try
        {
            await work.OnFailedAsync(_logger, exception);
        }
        catch (Exception ex)
        {
            SocketIOLog.ErrorHandlingFailed(_logger, _sessionId, ex);
        }
    }

    private async Task FinishAsync<TWork>(ValueTask running, TWork work) where TWork : ITrackedWork
    {
        var failed = false;
        try
        {
            await running;
        }
        catch (Exception ex)
        {
            failed = true;
            await FailAsync(work, ex);
        }
        finally
        {
            await work.CompleteAsync(failed);
            _eventSlots.Release();
        }
    }

    /// <summary>Runs a gateway's connection handler for a socket that just joined, in a DI scope of its own.</summary>
    public ValueTask RunConnectionHandlerAsync(GatewaySocket socket, Func<IGatewaySocket, IServiceProvider, ValueTask> handler) =>
        StartTrackedAsync(new ConnectionWork(_server.Services, socket, handler));

    private interface ITrackedWork
    {
        ValueTask StartAsync();

        ValueTask OnFailedAsync(ILogger logger, Exception exception);

        /// <summary>Releases what the work held; <paramref name="failed"/> says whether OnFailedAsync ran.</summary>
        ValueTask CompleteAsync(bool failed);
    }

    private readonly struct EventWork(EventContext context, GatewayEventHandler handler, GatewayErrors errors, string? metricEvent,
        System.Diagnostics.Activity? activity) : ITrackedWork
    {
        private readonly long _startedAt = Internal.GatewaysMetrics.HandlerStarting();

        public ValueTask StartAsync()
        {
            if (activity is null)
            {
                return handler(context);
            }
            // Current while the handler runs (its awaits carry it on); the read loop gets its own back.
            var previous = Internal.GatewaysTracing.StartRoot(activity);
            try
            {
                return handler(context);
            }
            finally
            {
                System.Diagnostics.Activity.Current = previous;
            }
        }

        public ValueTask OnFailedAsync(ILogger logger, Exception exception)
        {
            Internal.GatewaysMetrics.HandlerFinished(_startedAt, TelemetryNamespace(context.Socket), metricEvent, Internal.GatewaysMetrics.ErrorType(exception));
            Internal.GatewaysTracing.Finish(activity, exception);
            return errors.HandleAsync(context, exception);
        }

        public ValueTask CompleteAsync(bool failed)
        {
            if (!failed)
            {
                Internal.GatewaysMetrics.HandlerFinished(_startedAt, TelemetryNamespace(context.Socket), metricEvent, null);
                Internal.GatewaysTracing.Finish(activity, null);
            }
            return context.DisposeAsync();
        }
    }

    private readonly struct ConnectionWork(IServiceProvider services, GatewaySocket socket,
        Func<IGatewaySocket, IServiceProvider, ValueTask> handler) : ITrackedWork
    {
        private readonly AsyncServiceScope _scope = services.CreateAsyncScope();

        public ValueTask StartAsync() => handler(socket, _scope.ServiceProvider);

        public ValueTask OnFailedAsync(ILogger logger, Exception exception)
        {
            SocketIOLog.ConnectionHandlerFailed(logger, socket.Namespace, socket.Id, exception);
            return ValueTask.CompletedTask;
        }

        public ValueTask CompleteAsync(bool failed) => _scope.DisposeAsync();
    }
}
