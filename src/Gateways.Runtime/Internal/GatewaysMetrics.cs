using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Gateways.Internal;

/// <summary>
/// The framework's meter, <c>Gateways</c>, named after OpenTelemetry's conventions and ASP.NET Core's own
/// <c>signalr.server.*</c> where they fit. Attributes have bounded values only: the namespace (declared in code), a
/// close reason or refusal reason from a fixed set, and <c>error.type</c> (a category or an exception's type name);
/// never an event name, socket id or user id. With no listener attached every call below is a flag check, and no
/// timestamp is taken.
/// </summary>
internal static class GatewaysMetrics
{
    public const string MeterName = "Gateways";

    private const string NamespaceAttribute = "gateways.namespace";

    private const string EventAttribute = "gateways.event";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Dropped = Meter.CreateCounter<long>("gateways.messages.dropped", "{message}",
        "Outgoing messages dropped on purpose, by reason.");

    private static readonly UpDownCounter<long> ActiveConnections = Meter.CreateUpDownCounter<long>(
        "gateways.server.active_connections", "{connection}", "Engine.IO connections open now.");

    private static readonly Histogram<double> ConnectionDuration = Meter.CreateHistogram<double>(
        "gateways.server.connection.duration", "s", "How long Engine.IO connections lasted, by close reason.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.1, 1, 5, 30, 60, 300, 900, 3600, 14400, 86400] });

    private static readonly UpDownCounter<long> ActiveSockets = Meter.CreateUpDownCounter<long>(
        "gateways.server.active_sockets", "{socket}", "Sockets connected now, by namespace.");

    private static readonly Counter<long> EventsReceived = Meter.CreateCounter<long>(
        "gateways.server.events.received", "{event}", "Events clients sent, by namespace.");

    private static readonly Counter<long> EventsRefused = Meter.CreateCounter<long>(
        "gateways.server.events.refused", "{event}", "Events answered without running a handler, by namespace and reason.");

    private static readonly Histogram<double> HandlerDuration = Meter.CreateHistogram<double>(
        "gateways.server.handler.duration", "s", "How long handlers ran, by namespace, with error.type when they failed.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30] });

    private static readonly Histogram<int> BroadcastRecipients = Meter.CreateHistogram<int>(
        "gateways.server.broadcast.recipients", "{socket}", "Local sockets one broadcast was written to.",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [0, 1, 10, 100, 1000, 10000, 100000] });

    private static readonly Histogram<double> BroadcastAckDuration = Meter.CreateHistogram<double>(
        "gateways.server.broadcast.ack.duration", "s",
        "How long a broadcast with acknowledgements waited for its answers, by namespace; error.type=timeout when some target did not answer in time.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30] });

    private static readonly Counter<long> Bytes = Meter.CreateCounter<long>(
        "gateways.server.bytes", "By", "Engine.IO message bytes received and sent, by network.io.direction.");

    private static readonly Counter<long> SlowReaders = Meter.CreateCounter<long>(
        "gateways.server.slow_reader_disconnects", "{connection}", "Connections closed because their send queue was full.");

    private static readonly Counter<long> RecoveryAttempts = Meter.CreateCounter<long>("gateways.recovery.attempts", "{attempt}",
        "Clients that came back with a session id (connection state recovery), by result.");

    private static readonly Counter<long> RecoveryDropped = Meter.CreateCounter<long>("gateways.recovery.dropped", "{item}",
        "Recovery sessions and stored events dropped at their limits before their window ended.");

    private static readonly Counter<long> AdapterMessages = Meter.CreateCounter<long>(
        "gateways.adapter.messages", "{message}",
        "Messages the cluster adapter published to the other servers (transmit) and took from them (receive), by network.io.direction.");

    private static readonly Histogram<double> AdapterRequestDuration = Meter.CreateHistogram<double>(
        "gateways.adapter.request.duration", "s",
        "How long a cluster request waited for every other server, by gateways.adapter.request; error.type is timeout when some did not answer.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30] });

    private static readonly KeyValuePair<string, object?> Receive = new("network.io.direction", "receive");

    private static readonly KeyValuePair<string, object?> Transmit = new("network.io.direction", "transmit");

    // Per frame: the Enabled check keeps the no-listener cost to one field read.
    public static void Received(int bytes)
    {
        if (Bytes.Enabled)
        {
            Bytes.Add(bytes, Receive);
        }
    }

    public static void Sent(int bytes)
    {
        if (Bytes.Enabled)
        {
            Bytes.Add(bytes, Transmit);
        }
    }

    public static void SlowReaderDisconnected() => SlowReaders.Add(1);

    public static void DroppedTooLarge() => Dropped.Add(1, new KeyValuePair<string, object?>("reason", "too_large"));

    public static void DroppedVolatile()
    {
        if (Dropped.Enabled)
        {
            Dropped.Add(1, new KeyValuePair<string, object?>("reason", "volatile"));
        }
    }

    /// <summary>A start timestamp for <see cref="ConnectionClosed"/>; 0 when nobody listens.</summary>
    public static long ConnectionOpened()
    {
        ActiveConnections.Add(1);
        return ConnectionDuration.Enabled ? Stopwatch.GetTimestamp() : 0;
    }

    public static void ConnectionClosed(long openedAt, string reason)
    {
        ActiveConnections.Add(-1);
        if (openedAt != 0 && ConnectionDuration.Enabled)
        {
            ConnectionDuration.Record(Stopwatch.GetElapsedTime(openedAt).TotalSeconds, new KeyValuePair<string, object?>("gateways.close_reason", reason));
        }
    }

    /// <summary>A recovery attempt: <c>recovered</c>, <c>unknown_session</c>, <c>expired</c>, <c>events_gone</c>,
    /// <c>token_expired</c>.</summary>
    public static void RecoveryAttempt(string @namespace, string result) => RecoveryAttempts.Add(1,
        new KeyValuePair<string, object?>(NamespaceAttribute, @namespace), new KeyValuePair<string, object?>("gateways.recovery.result", result));

    /// <summary>Sessions or stored events (<paramref name="kind"/>: <c>session</c>, <c>event</c>) dropped at a limit.</summary>
    public static void RecoveryDroppedAtLimit(string @namespace, string kind, int count) => RecoveryDropped.Add(count,
        new KeyValuePair<string, object?>(NamespaceAttribute, @namespace), new KeyValuePair<string, object?>("gateways.recovery.kind", kind));

    public static void SocketConnected(string @namespace) => ActiveSockets.Add(1, new KeyValuePair<string, object?>(NamespaceAttribute, @namespace));

    public static void SocketDisconnected(string @namespace) => ActiveSockets.Add(-1, new KeyValuePair<string, object?>(NamespaceAttribute, @namespace));

    /// <summary>An event; <paramref name="eventName"/> only when the app opted in (and then a declared name).</summary>
    public static void EventReceived(string @namespace, string? eventName)
    {
        if (!EventsReceived.Enabled)
        {
            return;
        }
        if (eventName is null)
        {
            EventsReceived.Add(1, new KeyValuePair<string, object?>(NamespaceAttribute, @namespace));
        }
        else
        {
            EventsReceived.Add(1, new KeyValuePair<string, object?>(NamespaceAttribute, @namespace), new KeyValuePair<string, object?>(EventAttribute, eventName));
        }
    }

    /// <summary>An event refused before any handler: <c>rate_limit</c>, <c>limit</c> or <c>no_handler</c>.</summary>
    public static void EventRefused(string @namespace, string reason) => EventsRefused.Add(1,
        new KeyValuePair<string, object?>(NamespaceAttribute, @namespace), new KeyValuePair<string, object?>("gateways.reason", reason));

    /// <summary>A start timestamp for <see cref="BroadcastAckFinished"/>; 0 when nobody listens.</summary>
    public static long BroadcastAckStarting() => BroadcastAckDuration.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>A broadcast with acknowledgements ended: every target answered, or the timeout came first.</summary>
    public static void BroadcastAckFinished(long startedAt, string @namespace, bool timedOut)
    {
        if (startedAt == 0 || !BroadcastAckDuration.Enabled)
        {
            return;
        }
        var tags = new TagList { { NamespaceAttribute, @namespace } };
        if (timedOut)
        {
            tags.Add("error.type", "timeout");
        }
        BroadcastAckDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, in tags);
    }

    /// <summary>A start timestamp for <see cref="HandlerFinished"/>; 0 when nobody listens.</summary>
    public static long HandlerStarting() => HandlerDuration.Enabled ? Stopwatch.GetTimestamp() : 0;

    public static void HandlerFinished(long startedAt, string @namespace, string? eventName, string? errorType)
    {
        if (startedAt == 0 || !HandlerDuration.Enabled)
        {
            return;
        }
        var elapsed = Stopwatch.GetElapsedTime(startedAt).TotalSeconds;
        var tags = new TagList { { NamespaceAttribute, @namespace } };
        if (eventName is not null)
        {
            tags.Add(EventAttribute, eventName);
        }
        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }
        HandlerDuration.Record(elapsed, in tags);
    }

    /// <summary>A failed handler's <c>error.type</c>: a category for the framework's own refusals, else the exception's type.</summary>
    public static string ErrorType(Exception exception) => exception switch
    {
        WsValidationException or Dispatch.MessageBindingException => "validation",
        WsException { Message: Security.GatewayAuthorization.Forbidden or "Unauthorized" } => "authorization",
        WsException => "refused",
        _ => exception.GetType().FullName ?? "exception",
    };

    public static void Broadcast(int recipients)
    {
        if (BroadcastRecipients.Enabled)
        {
            BroadcastRecipients.Record(recipients);
        }
    }

    /// <summary>A message handed to Redis for the other servers, or, when <paramref name="published"/> is false, one that
    /// could not be (Redis away: counted as dropped with reason <c>adapter_unreachable</c>).</summary>
    public static void AdapterPublished(bool published)
    {
        if (!published)
        {
            Dropped.Add(1, new KeyValuePair<string, object?>("reason", "adapter_unreachable"));
        }
        else if (AdapterMessages.Enabled)
        {
            AdapterMessages.Add(1, Transmit);
        }
    }

    public static void AdapterReceived()
    {
        if (AdapterMessages.Enabled)
        {
            AdapterMessages.Add(1, Receive);
        }
    }

    public static long AdapterRequestStarting() => AdapterRequestDuration.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <param name="startedAt">From <see cref="AdapterRequestStarting"/>.</param>
    /// <param name="request">A fixed kind (<c>fetchSockets</c>, <c>serverSideEmit</c>, <c>allRooms</c>), never an event name.</param>
    /// <param name="timedOut">Whether some server did not answer in time.</param>
    public static void AdapterRequestFinished(long startedAt, string request, bool timedOut)
    {
        if (startedAt == 0 || !AdapterRequestDuration.Enabled)
        {
            return;
        }
        var elapsed = Stopwatch.GetElapsedTime(startedAt).TotalSeconds;
        var kind = new KeyValuePair<string, object?>("gateways.adapter.request", request);
        if (timedOut)
        {
            AdapterRequestDuration.Record(elapsed, kind, new KeyValuePair<string, object?>("error.type", "timeout"));
        }
        else
        {
            AdapterRequestDuration.Record(elapsed, kind);
        }
    }
}
