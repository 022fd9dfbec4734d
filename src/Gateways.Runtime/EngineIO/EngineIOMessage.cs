namespace Gateways.EngineIO;

/// <summary>
/// The payload of one Engine.IO <c>message</c> packet: UTF-8 text, or binary.
/// </summary>
/// <remarks>The memory belongs to the receiver: it is never reused by the transport, so it may be kept.</remarks>
/// <param name="Data">The payload, without the packet type.</param>
/// <param name="IsBinary">Whether the payload is binary; otherwise it is UTF-8 text.</param>
public readonly record struct EngineIOMessage(ReadOnlyMemory<byte> Data, bool IsBinary);
