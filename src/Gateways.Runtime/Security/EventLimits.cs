using System.Text.Json;
using Gateways.Hosting;

namespace Gateways.Security;

/// <summary>The input limits an event must pass before any handler runs (<see cref="GatewaysOptions.MaxEventNameLength"/>,
/// <see cref="GatewaysOptions.MaxArguments"/>, <see cref="GatewaysOptions.MaxJsonDepth"/>), with the message the
/// sender is told.</summary>
internal static class EventLimits
{
    public const string NameTooLong = "Event name too long";
    public const string TooManyArguments = "Too many arguments";
    public const string TooDeep = "Payload nested too deeply";

    /// <summary>Why the event is refused, or null when it passes.</summary>
    /// <param name="options">The limits.</param>
    /// <param name="eventName">The event name.</param>
    /// <param name="argumentCount">How many arguments it has.</param>
    /// <param name="payload">The packet's JSON payload.</param>
    public static string? Refusal(GatewaysOptions options, string eventName, int argumentCount, ReadOnlySpan<byte> payload) =>
        eventName.Length > options.MaxEventNameLength ? NameTooLong
        : argumentCount > options.MaxArguments ? TooManyArguments
        : NestsDeeperThan(payload, options.MaxJsonDepth) ? TooDeep
        : null;

    /// <summary>Whether the payload nests deeper than <paramref name="maxDepth"/>. Counting brackets first keeps the
    /// common case to one vectorized pass; only a payload with that many brackets is read again.</summary>
    public static bool NestsDeeperThan(ReadOnlySpan<byte> payload, int maxDepth)
    {
        if (payload.Count((byte)'[') + payload.Count((byte)'{') <= maxDepth)
        {
            return false;
        }
        var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = maxDepth });
        try
        {
            reader.Read();
            reader.Skip();
            return false;
        }
        catch (JsonException)
        {
            return true;
        }
    }
}
