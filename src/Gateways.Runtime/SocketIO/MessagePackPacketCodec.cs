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

    // Per thread, reused: decoding allocates only the packet's text (and a list when it has binary values).
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_json;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    [ThreadStatic]
    private static List<ReadOnlyMemory<byte>>? t_binaries;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_output;

    /// <summary>Decodes one client packet into the text form <see cref="SocketIOPacketParser"/> reads, and its binary
    /// values as attachments (placeholders in the text).</summary>
    /// <param name="data">The Engine.IO message.</param>
    /// <param name="maxDepth">How deeply the data may nest.</param>
    /// <param name="text">The packet text, such as <c>2/chat,1["event",…]</c>.</param>
    /// <param name="attachments">The binary values, in placeholder order.</param>
    /// <param name="error">Why the message is not a packet, when it is not.</param>
    /// <returns>Whether the message is a valid packet of socket.io-msgpack-parser's form.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> data, int maxDepth, out byte[] text, out IReadOnlyList<ReadOnlyMemory<byte>> attachments,
        out string? error)
    {
        text = [];
        attachments = [];
        var json = t_json ??= new ArrayBufferWriter<byte>(256);
        var binaries = t_binaries ??= [];
        json.ResetWrittenCount();
        binaries.Clear();
        try
        {
            if (!TryDecodeCore(data, maxDepth, json, binaries, out var type, out var nsp, out var ackId, out error))
            {
                return false;
            }
            text = WriteText(type, binaries.Count, nsp, ackId, json.WrittenSpan);
            if (binaries.Count > 0)
            {
                attachments = [.. binaries];
            }
            return true;
        }
        catch (Exception ex) when (ex is InvalidDataException or IndexOutOfRangeException or ArgumentException or InvalidOperationException)
        {
            // Truncated, malformed or too deep (the reader throws at the end of the data, or on a code it refuses).
            error = "malformed MessagePack packet";
            return false;
        }
        finally
        {
            binaries.Clear();
            if (json.Capacity > 64 * 1024)
            {
                // A large packet's buffer is not kept for the thread's lifetime (nor by the writer pointing at it).
                t_json = null;
                t_writer = null;
            }
        }
    }

    private static bool TryDecodeCore(ReadOnlySpan<byte> data, int maxDepth, ArrayBufferWriter<byte> json,
        List<ReadOnlyMemory<byte>> binaries, out SocketIOPacketType packetType, out ReadOnlySpan<byte> nsp, out long ackId, out string? error)
    {
        packetType = default;
        nsp = default;
        ackId = -1;
        var reader = new MessagePackReader(data, maxDepth);
        var entries = reader.TryReadMapHeader();
        if (entries < 0)
        {
            error = "a MessagePack packet is a map";
            return false;
        }
        long type = -1;
        var hasNamespace = false;
        for (var i = 0; i < entries; i++)
        {
            var key = reader.ReadStringSpan(out _);
            if (reader.IsUndefined())
            {
                reader.Skip(); // an absent member, as notepack.io 2.x writes { id: undefined }
                continue;
            }
            if (key.SequenceEqual("type"u8))
            {
                if (!reader.TryReadInteger(out type))
                {
                    error = "invalid packet type";
                    return false;
                }
            }
            else if (key.SequenceEqual("nsp"u8))
            {
                if (!reader.IsString())
                {
                    error = "invalid namespace";
                    return false;
                }
                nsp = reader.ReadStringSpan(out _);
                hasNamespace = true;
            }
            else if (key.SequenceEqual("id"u8))
            {
                if (!reader.TryReadInteger(out ackId) || ackId < 0)
                {
                    error = "invalid packet id";
                    return false;
                }
            }
            else if (key.SequenceEqual("data"u8))
            {
                json.ResetWrittenCount();
                binaries.Clear();
                // Both are the thread's own: the writer may keep pointing at the buffer between packets.
                var writer = t_writer ??= new Utf8JsonWriter(json, new JsonWriterOptions { SkipValidation = true });
                writer.Reset(json);
                reader.ReadAsJson(writer, binaries);
                writer.Flush();
            }
            else
            {
                reader.Skip();
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
        if (!hasNamespace || nsp.IsEmpty || nsp[0] != (byte)'/' || nsp.Contains((byte)','))
        {
            error = "invalid namespace";
            return false;
        }
        packetType = (SocketIOPacketType)type;
        if (binaries.Count > 0 && packetType is not (SocketIOPacketType.Event or SocketIOPacketType.Ack))
        {
            error = "binary data outside an EVENT or ACK";
            return false;
        }
        if (binaries.Count > 0)
        {
            packetType = packetType == SocketIOPacketType.Event ? SocketIOPacketType.BinaryEvent : SocketIOPacketType.BinaryAck;
        }
        error = null;
        return true;
    }

    /// <summary>The text form: <c>&lt;type&gt;[&lt;attachments&gt;-][&lt;namespace&gt;,][&lt;ack id&gt;]&lt;payload&gt;</c>, in
    /// one array (the packet's arguments stay slices of it).</summary>
    private static byte[] WriteText(SocketIOPacketType type, int attachments, ReadOnlySpan<byte> nsp, long ackId, ReadOnlySpan<byte> payload)
    {
        Span<byte> counts = stackalloc byte[12];
        var countLength = 0;
        if (attachments > 0)
        {
            System.Buffers.Text.Utf8Formatter.TryFormat(attachments, counts, out countLength);
            counts[countLength++] = (byte)'-';
        }
        Span<byte> ack = stackalloc byte[20];
        var ackLength = 0;
        if (ackId >= 0)
        {
            System.Buffers.Text.Utf8Formatter.TryFormat(ackId, ack, out ackLength);
        }
        var named = !nsp.SequenceEqual("/"u8);
        var text = new byte[1 + countLength + (named ? nsp.Length + 1 : 0) + ackLength + payload.Length];
        var at = 0;
        text[at++] = (byte)('0' + (int)type);
        counts[..countLength].CopyTo(text.AsSpan(at));
        at += countLength;
        if (named)
        {
            nsp.CopyTo(text.AsSpan(at));
            at += nsp.Length;
            text[at++] = (byte)',';
        }
        ack[..ackLength].CopyTo(text.AsSpan(at));
        at += ackLength;
        payload.CopyTo(text.AsSpan(at));
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
        var nsp = name == NamespaceNameTable.Root ? "/"u8 : Encoding.UTF8.GetBytes(name);
        var payload = frame.Span[(1 + payloadStart)..];
        var output = t_output ??= new ArrayBufferWriter<byte>(256);
        output.ResetWrittenCount();
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
        var encoded = output.WrittenSpan.ToArray();
        if (output.Capacity > 64 * 1024)
        {
            t_output = null; // a large packet's buffer is not kept for the thread's lifetime
        }
        return encoded;
    }
}
