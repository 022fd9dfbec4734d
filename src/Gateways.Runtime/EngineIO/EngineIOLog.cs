using Microsoft.Extensions.Logging;

namespace Gateways.EngineIO;

internal static partial class EngineIOLog
{
    [LoggerMessage(1, LogLevel.Debug, "Engine.IO session '{Sid}' opened over {Transport}.")]
    public static partial void SessionOpened(ILogger logger, string sid, string transport);

    [LoggerMessage(2, LogLevel.Debug, "Engine.IO session '{Sid}' closed: {Reason}.")]
    public static partial void SessionClosed(ILogger logger, string sid, string reason);

    [LoggerMessage(3, LogLevel.Debug, "Rejected an Engine.IO request to '{Path}': {Error}.")]
    public static partial void RequestRejected(ILogger logger, string path, string error);

    [LoggerMessage(4, LogLevel.Warning, "Engine.IO session '{Sid}' sent an invalid packet ({What}); closing it.")]
    public static partial void InvalidPacket(ILogger logger, string sid, string what);

    [LoggerMessage(5, LogLevel.Information, "Engine.IO session '{Sid}' did not answer the ping in time; closing it.")]
    public static partial void PingTimeout(ILogger logger, string sid);

    [LoggerMessage(6, LogLevel.Warning, "Engine.IO session '{Sid}' sent more than maxPayload ({MaxPayload} bytes); closing it.")]
    public static partial void PayloadTooLarge(ILogger logger, string sid, int maxPayload);

    [LoggerMessage(7, LogLevel.Warning, "Engine.IO session '{Sid}' has more than {Limit} bytes waiting to be sent (the client stopped reading); closing it.")]
    public static partial void SendQueueFull(ILogger logger, string sid, long limit);

    [LoggerMessage(8, LogLevel.Warning, "Engine.IO session '{Sid}' opened a second concurrent poll; closing it.")]
    public static partial void DuplicatePoll(ILogger logger, string sid);

    [LoggerMessage(9, LogLevel.Warning, "Engine.IO session '{Sid}' sent a second concurrent POST; closing it.")]
    public static partial void DuplicatePost(ILogger logger, string sid);

    [LoggerMessage(10, LogLevel.Debug, "Upgrade of Engine.IO session '{Sid}' to WebSocket failed: {Reason}.")]
    public static partial void UpgradeFailed(ILogger logger, string sid, string reason);

    [LoggerMessage(11, LogLevel.Debug, "Engine.IO session '{Sid}' upgraded to WebSocket.")]
    public static partial void Upgraded(ILogger logger, string sid);

    [LoggerMessage(12, LogLevel.Error, "The message handler of Engine.IO session '{Sid}' failed; closing the session.")]
    public static partial void HandlerFailed(ILogger logger, string sid, Exception exception);

    [LoggerMessage(13, LogLevel.Debug, "Refused a handshake from origin '{Origin}', which is not in AllowedOrigins.")]
    public static partial void OriginRefused(ILogger logger, string origin);

    [LoggerMessage(14, LogLevel.Debug, "Refused a handshake from '{Address}': {Reason}.")]
    public static partial void HandshakeRefused(ILogger logger, string address, string reason);

    [LoggerMessage(15, LogLevel.Warning, "Dropped a frame of {Size} bytes for Engine.IO session '{Sid}': more than its send queue may hold ({Limit} bytes); the session stays open.")]
    public static partial void FrameTooLarge(ILogger logger, string sid, long size, long limit);

    [LoggerMessage(16, LogLevel.Error, "The direct WebSocket upgrade of connection '{ConnectionId}' failed before the WebSocket was accepted; answering 500.")]
    public static partial void DirectUpgradeFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(17, LogLevel.Error, "UseGatewaysWebSockets() is off: the app sets {Requirement}, which only Kestrel's HTTP layer enforces; WebSockets go through it instead.")]
    public static partial void DirectUpgradeOff(ILogger logger, string requirement);
}
