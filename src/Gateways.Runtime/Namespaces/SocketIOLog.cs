using Microsoft.Extensions.Logging;

namespace Gateways.Namespaces;

internal static partial class SocketIOLog
{
    [LoggerMessage(101, LogLevel.Debug, "Socket '{SocketId}' connected to namespace '{Namespace}' over connection '{Sid}'.")]
    public static partial void SocketConnected(ILogger logger, string socketId, string @namespace, string sid);

    [LoggerMessage(102, LogLevel.Debug, "Socket '{SocketId}' left namespace '{Namespace}': {Reason}.")]
    public static partial void SocketDisconnected(ILogger logger, string socketId, string @namespace, string reason);

    [LoggerMessage(103, LogLevel.Warning, "Connection '{Sid}' sent an invalid Socket.IO packet ({Reason}); closing it.")]
    public static partial void InvalidPacket(ILogger logger, string sid, string reason);

    [LoggerMessage(104, LogLevel.Information, "Connection '{Sid}' asked for unknown namespace '{Namespace}'.")]
    public static partial void UnknownNamespace(ILogger logger, string sid, string @namespace);

    [LoggerMessage(105, LogLevel.Debug, "Connection '{Sid}' is already connected to namespace '{Namespace}'; CONNECT ignored.")]
    public static partial void AlreadyConnected(ILogger logger, string sid, string @namespace);

    [LoggerMessage(106, LogLevel.Information, "Connection '{Sid}' was refused namespace '{Namespace}': {Message}.")]
    public static partial void ConnectionRefused(ILogger logger, string sid, string @namespace, string message);

    [LoggerMessage(107, LogLevel.Error, "A connection middleware of namespace '{Namespace}' failed for connection '{Sid}'.")]
    public static partial void MiddlewareFailed(ILogger logger, string @namespace, string sid, Exception exception);

    [LoggerMessage(108, LogLevel.Debug, "No handler for event '{EventName}' in namespace '{Namespace}' (socket '{SocketId}').")]
    public static partial void NoHandler(ILogger logger, string eventName, string @namespace, string socketId);

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

    [LoggerMessage(116, LogLevel.Information, "Socket '{SocketId}' sent event '{EventName}' over a limit: {Reason}.")]
    public static partial void EventOverLimit(ILogger logger, string socketId, string eventName, string reason);

    [LoggerMessage(117, LogLevel.Warning, "Socket '{SocketId}' (user '{UserId}') kept flooding past its rate limit; disconnecting it.")]
    public static partial void RateLimitAbuse(ILogger logger, string socketId, string userId);

    [LoggerMessage(118, LogLevel.Error, "Handling an error of connection '{Sid}' failed; the error was dropped.")]
    public static partial void ErrorHandlingFailed(ILogger logger, string sid, Exception exception);
}
