using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Gateways.SocketIO;

/// <summary>
/// The packet form of socket.io-msgpack-parser 3.0 (the parser a client passes as <c>io(url, { parser })</c>): each
/// packet is one binary Engine.IO message holding a MessagePack map <c>{type, nsp, data?, id?}</c>, with binary values
/// inline (no attachments, no BINARY_EVENT / BINARY_ACK types). Decoding writes a packet's text form so that the one
/// packet parser checks every client's packets alike; encoding derives the map from the text frame every other
/// recipient gets, so a broadcast is encoded once per parser.
/// </summary>
internal static class MessagePackPacketCodec
{
    // Our own frames: their namespace names need no interning.
    private static readonly NamespaceNameTable Unnamed = new();

    /// <summary>Decodes one client packet into the text form <see cref="SocketIOPacketParser"/> reads, and its binary
    /// values as attachments (placeholders in the text).</summary>
    /// <param name="data">The Engine.IO message.</param>
    /// <param name="maxDepth">How deeply the data may nest.</param>
    /// <param name="text">The packet text, such as <c>2/chat,1["event",…]</c>.</param>
    /// <param name="attachments">The binary values, in placeholder order.</param>
    /// <param name="error">Why the message is not a packet, when it is not.</param>
    /// <returns>Whether the message is a valid packet of socket.io-msgpack-parser's form.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> data, int maxDepth, out byte[] text, out List<ReadOnlyMemory<byte>> attachments,
        out string? error)
    {
        text = [];
        attachments = [];
        try
        {
            return TryDecodeCore(data, maxDepth, ref text, attachments, out error);
        }
        catch (Exception ex) when (ex is InvalidDataException or IndexOutOfRangeException or ArgumentException or InvalidOperationException)
        {
            // Truncated, malformed or too deep (the reader throws at the end of the data, or on a code it refuses).
            error = "malformed MessagePack packet";
            return false;
        }
    }

    private static bool TryDecodeCore(ReadOnlySpan<byte> data, int maxDepth, ref byte[] text, List<ReadOnlyMemory<byte>> attachments,
        out string? error)
    {
        var reader = new MessagePackReader(data, maxDepth);
        var entries = reader.TryReadMapHeader();
        if (entries < 0)
        {
            error = "a MessagePack packet is a map";
            return false;
        }
        long type = -1;
        long ackId = -1;
        string? nsp = null;
        var json = new ArrayBufferWriter<byte>();
        var hasData = false;
        for (var i = 0; i < entries; i++)
        {
            var key = reader.ReadString();
            if (reader.IsUndefined())
            {
                reader.Skip(); // an absent member, as notepack.io 2.x writes { id: undefined }
                continue;
            }
            switch (key)
            {
                case "type":
                    if (!reader.TryReadInteger(out type))
                    {
                        error = "invalid packet type";
                        return false;
                    }
                    break;
                case "nsp":
                    nsp = reader.IsString() ? reader.ReadString() : null;
                    if (nsp is null)
                    {
                        error = "invalid namespace";
                        return false;
                    }
                    break;
                case "id":
                    if (!reader.TryReadInteger(out ackId) || ackId < 0)
                    {
                        error = "invalid packet id";
                        return false;
                    }
                    break;
                case "data":
                    json.ResetWrittenCount();
                    attachments.Clear();
                    using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { SkipValidation = true, MaxDepth = maxDepth + 1 }))
                    {
                        reader.ReadAsJson(writer, attachments);
                    }
                    hasData = true;
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        if (!reader.End)
        {
            error = "bytes after the packet";
            return false;
        }
        // socket.io-msgpack-parser's own checks: types 0-4 (no binary types), a namespace, an integer id.
        if (type is < (long)SocketIOPacketType.Connect or > (long)SocketIOPacketType.ConnectError)
        {
            error = "invalid packet type";
            return false;
        }
        // The text form ends a namespace at ',': a name with one could not be told apart from what follows it.
        if (nsp is null || nsp.Length == 0 || nsp[0] != '/' || nsp.Contains(','))
        {
            error = "invalid namespace";
            return false;
        }
        var packetType = (SocketIOPacketType)type;
        if (attachments.Count > 0 && packetType is not (SocketIOPacketType.Event or SocketIOPacketType.Ack))
        {
            error = "binary data outside an EVENT or ACK";
            return false;
        }
        if (attachments.Count > 0)
        {
            packetType = packetType == SocketIOPacketType.Event ? SocketIOPacketType.BinaryEvent : SocketIOPacketType.BinaryAck;
        }
        text = WriteText(packetType, attachments.Count, nsp, ackId, hasData ? json.WrittenSpan : default);
        error = null;
        return true;
    }

    private static byte[] WriteText(SocketIOPacketType type, int attachments, string nsp, long ackId, ReadOnlySpan<byte> payload)
    {
        var header = new StringBuilder(32).Append((int)type);
        if (attachments > 0)
        {
            header.Append(attachments).Append('-');
        }
        if (nsp != NamespaceNameTable.Root)
        {
            header.Append(nsp).Append(',');
        }
        if (ackId >= 0)
        {
            header.Append(ackId);
        }
        var headerBytes = Encoding.UTF8.GetBytes(header.ToString());
        var text = new byte[headerBytes.Length + payload.Length];
        headerBytes.CopyTo(text, 0);
        payload.CopyTo(text.AsSpan(headerBytes.Length));
        return text;
    }

    /// <summary>The MessagePack form of a packet this server wrote as a text frame (<c>"4"</c> + the packet) and
    /// its attachments: placeholders become the binary values themselves.</summary>
    /// <param name="packet">The frame, as <see cref="SocketIOPacketWriter"/> wrote it.</param>
    /// <exception cref="FormatException">The frame is not a Socket.IO packet (a bug, not input).</exception>
    public static byte[] Encode(EncodedPacket packet)
    {
        var frame = packet.Text.AsMemory();
        if (frame.Length < 2 || frame.Span[0] != (byte)'4')
        {
            throw new FormatException("Not a Socket.IO packet frame: no message prefix.");
        }
        // The header only: the payload is ours, and an app may emit what a client may not send (a reserved name).
        if (!SocketIOPacketParser.TryReadHeader(frame.Span[1..], Unnamed, out var type, out _, out var name, out var ackId, out var payloadStart,
                out var error))
        {
            throw new FormatException($"Not a Socket.IO packet frame: {error}.");
        }
        type = type switch
        {
            SocketIOPacketType.BinaryEvent => SocketIOPacketType.Event,
            SocketIOPacketType.BinaryAck => SocketIOPacketType.Ack,
            var other => other,
        };
        var nsp = Encoding.UTF8.GetBytes(name);
        var payload = frame.Span[(1 + payloadStart)..];
        var output = new ArrayBufferWriter<byte>(payload.Length + nsp.Length + 32);
        var writer = new MessagePackWriter(output);
        writer.WriteMapHeader((payload.IsEmpty ? 2 : 3) + (ackId >= 0 ? 1 : 0));
        writer.WriteString("type"u8);
        writer.WriteInteger((int)type);
        writer.WriteString("nsp"u8);
        writer.WriteString(nsp);
        if (!payload.IsEmpty)
        {
            writer.WriteString("data"u8);
            writer.WriteJson(payload, packet.Attachments ?? []);
        }
        if (ackId >= 0)
        {
            writer.WriteString("id"u8);
            writer.WriteInteger(ackId);
        }
        return output.WrittenSpan.ToArray();
    }
}
