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
    /// <param name="payloadDepth">How deep its JSON nests, the payload's array counting as 1 (measured by the
    /// parser's one pass, <see cref="SocketIO.PayloadLayout.Depth"/>).</param>
    public static string? Refusal(GatewaysOptions options, string eventName, int argumentCount, int payloadDepth) =>
        eventName.Length > options.MaxEventNameLength ? NameTooLong
        : argumentCount > options.MaxArguments ? TooManyArguments
        : payloadDepth > options.MaxJsonDepth ? TooDeep
        : null;
}
