using System.Diagnostics;

namespace Gateways.Internal;

/// <summary>
/// The framework's <see cref="ActivitySource"/>, <c>Gateways</c>: one span per handled event (kind Server) and one per
/// broadcast (kind Producer). Span names are bounded (a namespace and a declared event name); ids go in attributes.
/// With no listener, <see cref="ActivitySource.CreateActivity(string, ActivityKind)"/> returns null and nothing else
/// runs.
/// </summary>
internal static class GatewaysTracing
{
    public const string SourceName = "Gateways";

    public static readonly ActivitySource Source = new(SourceName, typeof(GatewaysTracing).Assembly.GetName().Version?.ToString());

    /// <summary>A handled event's span, created but not started (<see cref="StartRoot"/>): it becomes
    /// <see cref="Activity.Current"/> only while the handler runs, never in the connection's read loop. A root span,
    /// linked to the WebSocket's HTTP request: that request lasts as long as the connection, and as a parent it would
    /// make every event of the connection one trace.</summary>
    public static Activity? CreateEvent(string @namespace, string eventName, string socketId, string? userId, bool hasAck,
        string? traceParent = null, string? traceState = null)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        // Linked to the connection's request (Activity.Current in the read loop), parented to nothing — or to the
        // trace context the client sent with the event: a default parent context would mean "the current activity",
        // so the root is made by Start under a null Current.
        var request = Activity.Current;
        var links = request is not null ? new[] { new ActivityLink(request.Context) } : null;
        ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parent);
        // Sampled as what it is, a root (or the client's child): with Current still the request, a parent-based
        // sampler (OpenTelemetry's default) would follow the request's decision — unsampled when ASP.NET Core is not
        // traced — and drop every event's span.
        Activity.Current = null;
        Activity? activity;
        try
        {
            activity = Source.CreateActivity($"{@namespace} {eventName}", ActivityKind.Server, parentContext: parent, links: links);
        }
        finally
        {
            Activity.Current = request;
        }
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gateways.namespace", @namespace);
            activity.SetTag("gateways.event", eventName);
            activity.SetTag("gateways.socket.id", socketId);
            activity.SetTag("gateways.ack", hasAck);
            if (userId is not null)
            {
                activity.SetTag("enduser.id", userId);
            }
        }
        return activity;
    }

    /// <summary>Starts a span made by <see cref="CreateEvent"/> as a root and leaves it current; returns what was
    /// current before, for the caller to put back once the handler's synchronous part has run.</summary>
    public static Activity? StartRoot(Activity activity)
    {
        var previous = Activity.Current;
        Activity.Current = null;
        activity.Start();
        return previous;
    }

    /// <summary>Ends a handler's span, with <c>error.type</c> and an error status when it failed.</summary>
    public static void Finish(Activity? activity, Exception? failure)
    {
        if (activity is null)
        {
            return;
        }
        if (failure is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, failure.Message);
            activity.SetTag("error.type", GatewaysMetrics.ErrorType(failure));
        }
        activity.Stop();
    }

    /// <summary>A broadcast's span, a child of whatever runs (a handler's span, an HTTP request).</summary>
    /// <summary>The W3C trace context of the current activity, to send with a broadcast to other servers; null when
    /// nothing traces or the id is not W3C.</summary>
    public static (string TraceParent, string? TraceState)? CurrentContext() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C, Id: { } id } current ? (id, current.TraceStateString) : null;

    /// <summary>The span of a broadcast another server sent, around its local delivery: a child of that server's
    /// broadcast span when the message carried its trace context. Null without a listener.</summary>
    public static Activity? StartRemoteBroadcast(string @namespace, string? traceParent, string? traceState)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parent);
        var activity = Source.StartActivity($"{@namespace} receive", ActivityKind.Consumer, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gateways.namespace", @namespace);
            activity.SetTag("messaging.system", "redis");
        }
        return activity;
    }

    public static Activity? StartBroadcast(string @namespace, string eventName, int rooms, int exceptRooms)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        var activity = Source.StartActivity($"{@namespace} broadcast", ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gateways.namespace", @namespace);
            activity.SetTag("gateways.event", eventName);
            activity.SetTag("gateways.broadcast.rooms", rooms);
            activity.SetTag("gateways.broadcast.except_rooms", exceptRooms);
        }
        return activity;
    }
}
