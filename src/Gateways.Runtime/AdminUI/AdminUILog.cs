using Microsoft.Extensions.Logging;

namespace Gateways.AdminUI;

internal static partial class AdminUILog
{
    [LoggerMessage(136, LogLevel.Information,
        "Admin UI namespace '{Namespace}' served: mode {Mode}, authentication {Authentication}, read-only {ReadOnly}.")]
    public static partial void Started(ILogger logger, string @namespace, AdminUIMode mode, string authentication, bool readOnly);

    [LoggerMessage(137, LogLevel.Warning, "Admin UI login from {Address} refused: {Reason}.")]
    public static partial void LoginRefused(ILogger logger, string address, string reason);

    [LoggerMessage(138, LogLevel.Information, "Admin UI login from {Address}.")]
    public static partial void LoggedIn(ILogger logger, string address);

    [LoggerMessage(139, LogLevel.Information, "Admin UI operation '{Operation}' on namespace '{Namespace}' (room {Room}) from {Address}.")]
    public static partial void Operation(ILogger logger, string operation, string @namespace, string room, string address);

    [LoggerMessage(140, LogLevel.Warning, "Admin UI operation '{Operation}' on namespace '{Namespace}' not done: {Reason}")]
    public static partial void OperationFailed(ILogger logger, string operation, string @namespace, string reason);

    [LoggerMessage(141, LogLevel.Warning, "Admin UI: emitting '{EventName}' to the page failed (further failures are counted until the next stats).")]
    public static partial void EmitFailed(ILogger logger, string eventName, Exception exception);

    [LoggerMessage(142, LogLevel.Warning,
        "Admin UI: {Dropped} events dropped (queue of {Capacity} full) and {Failed} failed since the last stats; the page misses them.")]
    public static partial void EventsLost(ILogger logger, long dropped, long failed, int capacity);

    [LoggerMessage(143, LogLevel.Warning, "Admin UI: the server stats could not be sent.")]
    public static partial void StatsFailed(ILogger logger, Exception exception);
}
