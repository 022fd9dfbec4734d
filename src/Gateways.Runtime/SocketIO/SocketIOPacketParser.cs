using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Gateways.SocketIO;

/// <summary>
/// Decodes the text form of a Socket.IO v5 packet (Socket.IO protocol, "Packet encoding", "Format") and checks its
/// payload the way the reference parser does: CONNECT carries an object or nothing, DISCONNECT nothing, EVENT a
/// non-empty array whose first element is a non-reserved event name, ACK an array. EVENT and ACK payloads are read
/// once, by <see cref="SocketIOPayloadReader.TryScan"/>, which also finds their arguments.
/// </summary>
internal static class SocketIOPacketParser
{
    private const int MaxAckIdDigits = 15;
    private const int MaxAttachmentDigits = 6;

    /// <summary>Event names a client may not send; the reference parser rejects them.</summary>
    public static readonly IReadOnlySet<string> ReservedEventNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener",
    };

    /// <summary>Decodes one packet.</summary>
    /// <param name="text">The packet text, without the Engine.IO message prefix.</param>
    /// <param name="namespaces">Known namespace names, reused instead of allocating a string per packet.</param>
    /// <param name="packet">The packet, when decoding succeeded.</param>
    /// <param name="error">Why decoding failed, when it did.</param>
    /// <returns>Whether the packet is valid.</returns>
    public static bool TryParse(ReadOnlyMemory<byte> text, NamespaceNameTable namespaces, out SocketIOPacket packet,
        out string? error)
    {
        packet = default;
        if (!TryReadHeader(text.Span, namespaces, out var type, out var attachments, out var name, out var ackId, out var position, out error))
        {
            return false;
        }

        var payload = text[position..];
        PayloadLayout layout = default;
        if (type is SocketIOPacketType.Event or SocketIOPacketType.BinaryEvent or SocketIOPacketType.Ack or SocketIOPacketType.BinaryAck)
        {
            // One pass validates the array, finds the arguments and placeholders and measures the depth.
            var isEvent = type is SocketIOPacketType.Event or SocketIOPacketType.BinaryEvent;
            if (!SocketIOPayloadReader.TryScan(payload.Span, isEvent, attachments, out layout, out error))
            {
                return false;
            }
        }
        else if (!IsPayloadValid(type, payload.Span))
        {
            error = SocketIOPayloadReader.InvalidPayload;
            return false;
        }
        packet = new SocketIOPacket(type, name, ackId, attachments, payload, layout);
        error = null;
        return true;
    }

    /// <summary>Reads a packet's header — <c>&lt;type&gt;[&lt;attachments&gt;-][&lt;namespace&gt;,][&lt;ack id&gt;]</c> — and
    /// says where its payload starts; the payload itself is not looked at.</summary>
    internal static bool TryReadHeader(ReadOnlySpan<byte> text, NamespaceNameTable namespaces, out SocketIOPacketType type,
        out int attachments, out string name, out long ackId, out int payloadStart, out string? error)
    {
        type = default;
        attachments = 0;
        name = NamespaceNameTable.Root;
        ackId = -1;
        payloadStart = 0;
        if (text.IsEmpty || text[0] < (byte)'0' || text[0] > (byte)'6')
        {
            error = "unknown packet type";
            return false;
        }
        type = (SocketIOPacketType)(text[0] - '0');
        payloadStart = 1;

        if (type is SocketIOPacketType.BinaryEvent or SocketIOPacketType.BinaryAck)
        {
            var dash = text[payloadStart..].IndexOf((byte)'-');
            if (dash <= 0 || dash > MaxAttachmentDigits
                || !Utf8Parser.TryParse(text.Slice(payloadStart, dash), out attachments, out var consumed) || consumed != dash)
            {
                error = "illegal attachments";
                return false;
            }
            payloadStart += dash + 1;
        }

        if (payloadStart < text.Length && text[payloadStart] == (byte)'/')
        {
            var comma = text[payloadStart..].IndexOf((byte)',');
            var end = comma < 0 ? text.Length : payloadStart + comma;
            name = namespaces.GetOrCreate(text[payloadStart..end]);
            payloadStart = comma < 0 ? end : end + 1;
        }

        var digits = 0;
        while (payloadStart + digits < text.Length && char.IsAsciiDigit((char)text[payloadStart + digits]))
        {
            digits++;
        }
        if (digits > 0)
        {
            if (digits > MaxAckIdDigits)
            {
                error = "invalid ack id";
                return false;
            }
            Utf8Parser.TryParse(text.Slice(payloadStart, digits), out ackId, out _);
            payloadStart += digits;
        }

        error = null;
        return true;
    }

    /// <summary>CONNECT carries an object or nothing, CONNECT_ERROR an object or a string, DISCONNECT nothing.</summary>
    private static bool IsPayloadValid(SocketIOPacketType type, ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return type is SocketIOPacketType.Connect or SocketIOPacketType.Disconnect;
        }
        var reader = new Utf8JsonReader(payload);
        try
        {
            if (!reader.Read())
            {
                return false;
            }
            var valid = type switch
            {
                SocketIOPacketType.Connect => reader.TokenType == JsonTokenType.StartObject,
                SocketIOPacketType.ConnectError => reader.TokenType is JsonTokenType.StartObject or JsonTokenType.String,
                _ => false,
            };
            if (!valid)
            {
                return false;
            }
            // The whole payload must be one well-formed JSON value, as JSON.parse demands.
            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>
/// The namespace names a server knows, so that decoding a packet for a known namespace allocates no string.
/// </summary>
internal sealed class NamespaceNameTable
{
    /// <summary>The main namespace.</summary>
    public const string Root = "/";

    private volatile (byte[] Utf8, string Name)[] _known = [];

    /// <summary>Adds a name to the table.</summary>
    /// <param name="name">The namespace name.</param>
    public void Add(string name)
    {
        lock (this)
        {
            _known = [.. _known, (Encoding.UTF8.GetBytes(name), name)];
        }
    }

    /// <summary>Returns the known string for <paramref name="utf8"/>, or a new one.</summary>
    /// <param name="utf8">The UTF-8 bytes of a namespace name.</param>
    public string GetOrCreate(ReadOnlySpan<byte> utf8)
    {
        foreach (var (bytes, name) in _known)
        {
            if (utf8.SequenceEqual(bytes))
            {
                return name;
            }
        }
        return Encoding.UTF8.GetString(utf8);
    }
}
