using Microsoft.Extensions.Logging;

namespace Gateways.Adapters;

internal static partial class AdapterLog
{
    [LoggerMessage(307, LogLevel.Warning, "Dropped a broadcast of {Size} bytes in namespace '{Namespace}': more than a client's send queue may hold ({Limit} bytes); no recipient was disconnected.")]
    public static partial void DroppedTooLarge(ILogger logger, string @namespace, long size, long limit);
}
