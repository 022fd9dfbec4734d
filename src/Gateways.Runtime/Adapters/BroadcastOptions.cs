namespace Gateways.Adapters;

/// <summary>Which sockets of a namespace a broadcast targets: those in any of <see cref="Rooms"/> (every socket when
/// empty), minus those in any of <see cref="Except"/>.</summary>
/// <param name="Rooms">The rooms to target; empty means the whole namespace.</param>
/// <param name="Except">The rooms whose sockets are excluded.</param>
public sealed record BroadcastOptions(IReadOnlySet<string> Rooms, IReadOnlySet<string> Except)
{
    private static readonly IReadOnlySet<string> None = new HashSet<string>();

    /// <summary>Every socket of the namespace.</summary>
    public static BroadcastOptions All { get; } = new(None, None);
}
