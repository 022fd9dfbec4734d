using System.Text.Json;

namespace Gateways.SocketIO;

/// <summary>
/// An outgoing EVENT as a model — namespace, event name, ack id, arguments — that a broadcast hands to the adapter.
/// It is encoded late and once: the first adapter that finds a local target, or that publishes it to other servers,
/// asks for <see cref="Frame"/> or <see cref="Payload"/>; a broadcast nobody receives is never serialized. One
/// broadcast call uses it (not thread-safe).
/// </summary>
public sealed class OutgoingPacket
{
    private readonly object?[]? _args;
    private readonly JsonSerializerOptions? _options;
    private ReadOnlyMemory<byte> _payload;
    private ReadOnlyMemory<byte>[]? _attachments;
    private EncodedPacket? _frame;
    private byte[]? _messagePack;

    private OutgoingPacket(string @namespace, string? eventName, SocketIOPacketType type, long ackId, object?[]? args,
        JsonSerializerOptions? options, ReadOnlyMemory<byte> payload, ReadOnlyMemory<byte>[]? attachments, string? offset = null)
    {
        Offset = offset;
        Namespace = @namespace;
        EventName = eventName;
        Type = type;
        AckId = ackId;
        _args = args;
        _options = options;
        _payload = payload;
        _attachments = attachments;
    }

    /// <summary>An event this server sends: <c>[eventName, ...args]</c>, serialized on first use.</summary>
    /// <param name="namespace">The namespace.</param>
    /// <param name="eventName">The event name.</param>
    /// <param name="args">The arguments; <see cref="byte"/>[] and byte memories become binary attachments.</param>
    /// <param name="options">The JSON options for the arguments.</param>
    /// <param name="ackId">The acknowledgement id, or -1.</param>
    public static OutgoingPacket Event(string @namespace, string eventName, object?[] args, JsonSerializerOptions options, long ackId = -1) =>
        new(@namespace, eventName, SocketIOPacketType.Event, ackId, args, options, default, null);

    /// <summary>A packet another server sent, whose JSON payload (placeholders included) is already written.</summary>
    /// <param name="type">EVENT or ACK.</param>
    /// <param name="namespace">The namespace.</param>
    /// <param name="ackId">The acknowledgement id, or -1.</param>
    /// <param name="payload">The UTF-8 JSON payload.</param>
    /// <param name="attachments">The binary attachments its placeholders point to.</param>
    /// <exception cref="FormatException">The type is not EVENT or ACK, or the payload does not start as one (an array
    /// that, for an EVENT, starts with the event name). Only the start is read: the payload must be well-formed JSON,
    /// which it is when the adapter took it from a parsed message (as both Redis adapters and the bus adapter do).</exception>
    public static OutgoingPacket Relayed(SocketIOPacketType type, string @namespace, long ackId, ReadOnlyMemory<byte> payload,
        ReadOnlyMemory<byte>[]? attachments)
    {
        type = type switch
        {
            SocketIOPacketType.BinaryEvent => SocketIOPacketType.Event,
            SocketIOPacketType.BinaryAck => SocketIOPacketType.Ack,
            _ => type,
        };
        if (type is not (SocketIOPacketType.Event or SocketIOPacketType.Ack) || !StartsAsPayload(payload.Span, type))
        {
            throw new FormatException($"A relayed {type} packet must be an EVENT or ACK whose payload is a JSON array (an EVENT's starting with its name).");
        }
        return new(@namespace, null, type, ackId, null, null, payload, attachments is { Length: > 0 } ? attachments : null);
    }

    // Reads two tokens, not the whole payload: the adapter parsed the peer's message already (no second full pass).
    private static bool StartsAsPayload(ReadOnlySpan<byte> payload, SocketIOPacketType type)
    {
        var reader = new Utf8JsonReader(payload);
        try
        {
            return reader.Read() && reader.TokenType == JsonTokenType.StartArray
                && (type == SocketIOPacketType.Ack || (reader.Read() && reader.TokenType == JsonTokenType.String));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The namespace.</summary>
    public string Namespace { get; }

    /// <summary>The event name of an event this server sends; null for a relayed packet.</summary>
    public string? EventName { get; }

    /// <summary>EVENT or ACK; the binary variant is chosen at encoding when there are attachments.</summary>
    public SocketIOPacketType Type { get; }

    /// <summary>The acknowledgement id, or -1.</summary>
    public long AckId { get; }

    /// <summary>The connection-state-recovery offset this EVENT carries as its last argument, or null.</summary>
    public string? Offset { get; }

    /// <summary>Whether the packet came from another server (it is dropped, not refused, when too large).</summary>
    public bool IsRelayed => _args is null;

    /// <summary>Whether it has been serialized yet.</summary>
    public bool IsEncoded => _frame is not null;

    /// <summary>The JSON payload <c>[eventName, ...args]</c> with binary placeholders, as the Redis adapters publish it.</summary>
    public ReadOnlyMemory<byte> Payload
    {
        get
        {
            if (_args is not null)
            {
                _ = Frame;
            }
            return _payload;
        }
    }

    /// <summary>The binary attachments, or null.</summary>
    public ReadOnlyMemory<byte>[]? Attachments => _args is null ? _attachments : Frame.Attachments;

    /// <summary>The size in bytes of the frame a client is sent (text and attachments); encodes the packet.</summary>
    public long EncodedSize => Frame.Size;

    /// <summary>This EVENT with one more argument, the connection-state-recovery offset, last (where socket.io puts
    /// it, and where socket.io-client reads it from).</summary>
    /// <param name="offset">The offset.</param>
    public OutgoingPacket WithOffset(string offset)
    {
        if (_args is not null)
        {
            return new(Namespace, EventName, Type, AckId, [.. _args, offset], _options, default, null, offset);
        }
        // A relayed payload is a JSON array: the offset goes in before its closing bracket.
        var payload = _payload.Span.TrimEnd(" \t\r\n"u8);
        var end = payload.Length - 1;
        var encoded = JsonEncodedText.Encode(offset).EncodedUtf8Bytes;
        var stamped = new byte[end + encoded.Length + 4];
        payload[..end].CopyTo(stamped);
        var at = end;
        stamped[at++] = (byte)',';
        stamped[at++] = (byte)'"';
        encoded.CopyTo(stamped.AsSpan(at));
        at += encoded.Length;
        stamped[at++] = (byte)'"';
        stamped[at] = (byte)']';
        return new(Namespace, null, Type, AckId, null, null, stamped, _attachments, offset);
    }

    /// <summary>The frame every local target is sent: written once, on first use.</summary>
    internal EncodedPacket Frame => _frame ??= Encode();

    /// <summary>The same packet in socket.io-msgpack-parser's form, for the targets that speak it: derived from
    /// <see cref="Frame"/> once, on first use (a broadcast is encoded once per parser).</summary>
    internal byte[] MessagePackFrame => _messagePack ??= MessagePackPacketCodec.Encode(Frame);

    private EncodedPacket Encode()
    {
        if (_args is null)
        {
            return SocketIOPacketWriter.WriteRaw(Type, Namespace, AckId, _payload.Span, _attachments);
        }
        var frame = SocketIOPacketWriter.WriteEvent(Namespace, EventName!, _args, AckId, _options!, out var payloadStart);
        // The payload is the frame's tail: publishing to Redis copies nothing and parses nothing.
        _payload = frame.Text.AsMemory(payloadStart);
        return frame;
    }
}
