namespace Gateways;

/// <summary>
/// Thrown by an emit or broadcast whose encoded packet is larger than a session's send queue may hold
/// (<c>EngineIOOptions.MaxBufferedBytes</c>): no client could ever receive it, so it is refused at the sender rather
/// than cutting off every recipient as if each had stopped reading.
/// </summary>
public sealed class OutgoingMessageTooLargeException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="eventName">The event that was emitted.</param>
    /// <param name="size">The encoded size, text and attachments together, in bytes.</param>
    /// <param name="limit">The most a session's send queue may hold, in bytes.</param>
    public OutgoingMessageTooLargeException(string eventName, long size, long limit)
        : base($"Event '{eventName}' encodes to {size} bytes, more than a client's send queue may hold ({limit} bytes, " +
            "EngineIOOptions.MaxBufferedBytes); it was not sent. Send less at once, or raise the limit.")
    {
        EventName = eventName;
        Size = size;
        Limit = limit;
    }

    /// <summary>The event that was emitted.</summary>
    public string EventName { get; }

    /// <summary>The encoded size, text and attachments together, in bytes.</summary>
    public long Size { get; }

    /// <summary>The most a session's send queue may hold, in bytes.</summary>
    public long Limit { get; }
}
