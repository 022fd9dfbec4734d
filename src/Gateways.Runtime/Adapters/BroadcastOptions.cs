namespace Gateways.Adapters;

/// <summary>Which sockets of a namespace a broadcast targets: those in any of <see cref="Rooms"/> (every socket when
/// empty), minus those in any of <see cref="Except"/>; and how it is delivered (<see cref="Flags"/>).</summary>
/// <param name="Rooms">The rooms to target; empty means the whole namespace.</param>
/// <param name="Except">The rooms whose sockets are excluded.</param>
public sealed record BroadcastOptions(IReadOnlySet<string> Rooms, IReadOnlySet<string> Except)
{
    private static readonly IReadOnlySet<string> None = new HashSet<string>();

    /// <summary>Every socket of the namespace.</summary>
    public static BroadcastOptions All { get; } = new(None, None);

    /// <summary>socket.io's broadcast flags that change delivery; they travel with the broadcast between servers.</summary>
    public BroadcastFlags Flags { get; init; }

    /// <summary>Whether <see cref="BroadcastFlags.Volatile"/> is set.</summary>
    public bool IsVolatile => (Flags & BroadcastFlags.Volatile) != 0;

    /// <summary>Whether <see cref="BroadcastFlags.Local"/> is set.</summary>
    public bool IsLocal => (Flags & BroadcastFlags.Local) != 0;
}

/// <summary>How a broadcast is delivered (socket.io's <c>flags</c> of broadcast options).</summary>
[Flags]
public enum BroadcastFlags
{
    /// <summary>Delivered to every target, queued where a transport is busy, stored for recovery.</summary>
    None = 0,

    /// <summary>socket.io's <c>volatile</c>: sent only to targets whose transport can take it now, never queued and
    /// never stored for connection state recovery (an adapter must honour this).</summary>
    Volatile = 1,

    /// <summary>socket.io's <c>local</c>: this server's sockets only; an adapter does not publish it.</summary>
    Local = 2,
}
