namespace Gateways.EngineIO;

internal enum OutgoingFrameKind : byte
{
    /// <summary>A whole Engine.IO text packet, type digit included ("4…", "2", "3probe").</summary>
    Text,

    /// <summary>A binary message, sent as a binary WebSocket frame or as "b"+base64 on polling.</summary>
    Binary,

    /// <summary>Ends a graceful close: everything queued before it is flushed first.</summary>
    Close,
}

/// <summary>One entry of a session's send queue. The bytes may be shared by many sessions (a broadcast is
/// encoded once), so nobody writes to them after they are queued.</summary>
internal readonly record struct OutgoingFrame(ReadOnlyMemory<byte> Data, OutgoingFrameKind Kind)
{
    public static readonly OutgoingFrame Close = new(ReadOnlyMemory<byte>.Empty, OutgoingFrameKind.Close);
}

internal static class EngineIOFrames
{
    public static readonly byte[] Ping = "2"u8.ToArray();
    public static readonly byte[] ProbePong = "3probe"u8.ToArray();
    public static readonly byte[] Noop = "6"u8.ToArray();
    public static readonly byte[] CloseText = "1"u8.ToArray();
    public const byte RecordSeparator = 0x1e;
    public const byte BinaryPrefix = (byte)'b';
}
