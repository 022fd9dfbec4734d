using Microsoft.Extensions.Logging;

namespace Gateways.Namespaces;

internal static partial class NamespaceLog
{
    [LoggerMessage(121, LogLevel.Warning, "Removed socket '{SocketId}' (user '{UserId}') from room '{Room}' in namespace '{Namespace}': it joined before user '{Room}' connected, and the room is that user's private room now.")]
    public static partial void EvictedFromPrivateRoom(ILogger logger, string socketId, string userId, string room, string @namespace);

    [LoggerMessage(122, LogLevel.Debug, "Socket '{SocketId}' was not added to room '{Room}': {Reason}")]
    public static partial void PrivateRoomSkipped(ILogger logger, string socketId, string room, string reason);

    [LoggerMessage(131, LogLevel.Debug, "Created namespace '{Namespace}' of dynamic namespace '{Pattern}'.")]
    public static partial void ChildCreated(ILogger logger, string @namespace, string pattern);

    [LoggerMessage(132, LogLevel.Debug, "Removed namespace '{Namespace}' of dynamic namespace '{Pattern}': it has no sockets.")]
    public static partial void ChildRemoved(ILogger logger, string @namespace, string pattern);

    [LoggerMessage(133, LogLevel.Warning, "Dynamic namespace '{Pattern}' has {MaxChildren} namespaces with sockets (Gateways:DynamicNamespaces:MaxChildren): connections to new ones are refused \"Too many namespaces\" until one empties. Logged once until then.")]
    public static partial void ChildLimitReached(ILogger logger, string pattern, int maxChildren);

    [LoggerMessage(135, LogLevel.Warning, "Releasing the adapter of namespace '{Namespace}' failed.")]
    public static partial void AdapterDisposeFailed(ILogger logger, string @namespace, Exception exception);

    [LoggerMessage(134, LogLevel.Warning, "The expression of dynamic namespace '{Pattern}' timed out on a name of {Length} characters; the name is treated as unknown.")]
    public static partial void PatternTimedOut(ILogger logger, string pattern, int length);
}

internal static partial class SocketIOLog
{
    [LoggerMessage(123, LogLevel.Warning, "Gateways.DiscoverGateways is off, so these [WebSocketGateway] classes of the app are not served: {Gateways}. Add them with AddGateway<T>(), or remove their attribute.")]
    public static partial void GatewaysLeftOut(ILogger logger, string gateways);

    [LoggerMessage(101, LogLevel.Debug, "Socket '{SocketId}' connected to namespace '{Namespace}' over connection '{Sid}'.")]
    public static partial void SocketConnected(ILogger logger, string socketId, string @namespace, string sid);

    [LoggerMessage(125, LogLevel.Error, "A session-expired handler of namespace '{Namespace}' failed for socket '{SocketId}'.")]
    public static partial void SessionExpiredHandlerFailed(ILogger logger, string socketId, string @namespace, Exception exception);

    [LoggerMessage(126, LogLevel.Warning, "Connection state recovery of namespace '{Namespace}' dropped {Sessions} sessions and {Packets} stored events at its limits since its last sweep (MaxSessions {MaxSessions}, MaxStoredPackets {MaxPackets}, MaxStoredBytes {MaxBytes}): clients that lost them connect afresh.")]
    public static partial void RecoveryLimitsReached(ILogger logger, string @namespace, long sessions, long packets, int maxSessions, int maxPackets, long maxBytes);

    [LoggerMessage(127, LogLevel.Warning, "Connection state recovery of namespace '{Namespace}' could not keep the session of socket '{SocketId}'; its client will connect afresh.")]
    public static partial void RecoveryPersistFailed(ILogger logger, string @namespace, string socketId, Exception exception);

    [LoggerMessage(128, LogLevel.Warning, "Connection state recovery of namespace '{Namespace}' could not look up a session; the client connects afresh.")]
    public static partial void RecoveryRestoreFailed(ILogger logger, string @namespace, Exception exception);

    [LoggerMessage(124, LogLevel.Debug, "Socket '{SocketId}' of namespace '{Namespace}' was recovered with {Missed} missed events.")]
    public static partial void SocketRecovered(ILogger logger, string socketId, string @namespace, int missed);

    [LoggerMessage(102, LogLevel.Debug, "Socket '{SocketId}' left namespace '{Namespace}': {Reason}.")]
    public static partial void SocketDisconnected(ILogger logger, string socketId, string @namespace, string reason);

    [LoggerMessage(103, LogLevel.Warning, "Connection '{Sid}' sent an invalid Socket.IO packet ({Reason}); closing it.")]
    public static partial void InvalidPacket(ILogger logger, string sid, string reason);

    [LoggerMessage(104, LogLevel.Debug, "Connection '{Sid}' asked for unknown namespace '{Namespace}'.")]
    public static partial void UnknownNamespace(ILogger logger, string sid, string @namespace);

    [LoggerMessage(105, LogLevel.Debug, "Connection '{Sid}' is already connected to namespace '{Namespace}'; CONNECT ignored.")]
    public static partial void AlreadyConnected(ILogger logger, string sid, string @namespace);

    // Debug, like 104 and 116: refusals are the attacker's to repeat; 119 and 120 say once when a connection is cut.
    [LoggerMessage(106, LogLevel.Debug, "Connection '{Sid}' was refused namespace '{Namespace}': {Message}.")]
    public static partial void ConnectionRefused(ILogger logger, string sid, string @namespace, string message);

    [LoggerMessage(107, LogLevel.Error, "A connection middleware of namespace '{Namespace}' failed for connection '{Sid}'.")]
    public static partial void MiddlewareFailed(ILogger logger, string @namespace, string sid, Exception exception);

    [LoggerMessage(108, LogLevel.Debug, "No handler for event '{EventName}' in namespace '{Namespace}' (socket '{SocketId}').")]
    public static partial void NoHandler(ILogger logger, string eventName, string @namespace, string socketId);

    [LoggerMessage(129, LogLevel.Error, "An onAny listener failed on event '{EventName}' in namespace '{Namespace}' (socket '{SocketId}'); the event's handler still runs.")]
    public static partial void AnyListenerFailed(ILogger logger, string eventName, string @namespace, string socketId, Exception exception);

    [LoggerMessage(130, LogLevel.Error, "An onAnyOutgoing listener failed on event '{EventName}' in namespace '{Namespace}' (socket '{SocketId}'); the event is still sent.")]
    public static partial void OutgoingListenerFailed(ILogger logger, string eventName, string @namespace, string socketId, Exception exception);

    [LoggerMessage(109, LogLevel.Error, "The handler of event '{EventName}' in namespace '{Namespace}' failed (socket '{SocketId}', user '{UserId}').")]
    public static partial void HandlerFailed(ILogger logger, string eventName, string @namespace, string socketId, string userId, Exception exception);

    [LoggerMessage(110, LogLevel.Error, "A connection handler of namespace '{Namespace}' failed (socket '{SocketId}').")]
    public static partial void ConnectionHandlerFailed(ILogger logger, string @namespace, string socketId, Exception exception);

    [LoggerMessage(111, LogLevel.Error, "A disconnect handler of namespace '{Namespace}' failed (socket '{SocketId}').")]
    public static partial void DisconnectHandlerFailed(ILogger logger, string socketId, string @namespace, Exception exception);

    [LoggerMessage(112, LogLevel.Debug, "Connection '{Sid}' sent an event for namespace '{Namespace}' it is not connected to; ignored.")]
    public static partial void EventForUnknownNamespace(ILogger logger, string sid, string @namespace);

    [LoggerMessage(113, LogLevel.Debug, "Socket '{SocketId}' acknowledged unknown or expired ack id {AckId}; ignored.")]
    public static partial void UnknownAck(ILogger logger, string socketId, long ackId);

    [LoggerMessage(114, LogLevel.Information, "Connection '{Sid}' joined no namespace within the connect timeout; closing it.")]
    public static partial void ConnectTimeout(ILogger logger, string sid);

    [LoggerMessage(115, LogLevel.Information, "The handler of event '{EventName}' in namespace '{Namespace}' refused the event of socket '{SocketId}': {Message}")]
    public static partial void HandlerRefused(ILogger logger, string eventName, string @namespace, string socketId, string message);

    // Debug: one line per refused event would let a flooding client write the log at its own pace.
    [LoggerMessage(116, LogLevel.Debug, "Socket '{SocketId}' sent event '{EventName}' over a limit: {Reason}.")]
    public static partial void EventOverLimit(ILogger logger, string socketId, string eventName, string reason);

    [LoggerMessage(117, LogLevel.Warning, "Connection '{Sid}' (user '{UserId}') kept flooding past its rate limit ({Rejections} refused within {Window}); closing it.")]
    public static partial void RateLimitAbuse(ILogger logger, string sid, string userId, int rejections, TimeSpan window);

    [LoggerMessage(119, LogLevel.Warning, "Connection '{Sid}' was refused {Count} CONNECT packets in a row; closing it.")]
    public static partial void TooManyRefusedConnects(ILogger logger, string sid, int count);

    [LoggerMessage(120, LogLevel.Warning, "Connection '{Sid}' left a binary packet incomplete ({Received} of {Expected} attachments) for {Timeout}; closing it.")]
    public static partial void BinaryPacketTimeout(ILogger logger, string sid, int received, int expected, TimeSpan timeout);

    [LoggerMessage(202, LogLevel.Information, "The token of socket '{SocketId}' (user '{UserId}') expired; disconnecting it.")]
    public static partial void TokenExpired(ILogger logger, string socketId, string userId);

    [LoggerMessage(118, LogLevel.Error, "Handling an error of connection '{Sid}' failed; the error was dropped.")]
    public static partial void ErrorHandlingFailed(ILogger logger, string sid, Exception exception);
}
