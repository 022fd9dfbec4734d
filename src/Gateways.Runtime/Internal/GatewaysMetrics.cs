using System.Diagnostics.Metrics;

namespace Gateways.Internal;

/// <summary>
/// The framework's meter (<c>Gateways</c>). For now it counts what is dropped on purpose, so a drop that harms no
/// connection still shows: <c>gateways.messages.dropped</c>, tagged <c>reason</c> (<c>too_large</c>).
/// </summary>
internal static class GatewaysMetrics
{
    public const string MeterName = "Gateways";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Dropped = Meter.CreateCounter<long>("gateways.messages.dropped", "{message}",
        "Outgoing messages dropped on purpose, by reason.");

    public static void DroppedTooLarge() => Dropped.Add(1, new KeyValuePair<string, object?>("reason", "too_large"));
}
