using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Gateways.EngineIO;

namespace Gateways.SocketIO;

/// <summary>
/// A packet encoded once for the wire: the text frame (Engine.IO message prefix included) and its binary
/// attachments. The same instance can be queued to any number of sessions.
/// </summary>
/// <param name="Text">The text frame, starting with <c>4</c>.</param>
/// <param name="Attachments">The binary frames that follow, or <see langword="null"/>.</param>
internal readonly record struct EncodedPacket(byte[] Text, ReadOnlyMemory<byte>[]? Attachments)
{
    /// <summary>The bytes a session queues for it: the text frame and every attachment.</summary>
    public long Size
    {
        get
        {
            long size = Text.Length;
            foreach (var attachment in Attachments ?? [])
            {
                size += attachment.Length;
            }
            return size;
        }
    }
}

/// <summary>
/// Encodes Socket.IO v5 packets (Socket.IO protocol, "Packet encoding") straight into their Engine.IO message frame,
/// with a per-thread reusable buffer and <see cref="Utf8JsonWriter"/>. Top-level arguments of type
/// <see cref="byte"/>[], <see cref="ReadOnlyMemory{T}"/>, <see cref="Memory{T}"/> or <see cref="ArraySegment{T}"/>
/// of bytes become binary attachments.
/// </summary>
internal static class SocketIOPacketWriter
{
    private static readonly JsonEncodedText PidName = JsonEncodedText.Encode("pid");
    private static readonly JsonEncodedText SidName = JsonEncodedText.Encode("sid");
    private static readonly JsonEncodedText MessageName = JsonEncodedText.Encode("message");
    private static readonly JsonEncodedText DataName = JsonEncodedText.Encode("data");
    private static readonly JsonEncodedText PlaceholderName = JsonEncodedText.Encode("_placeholder");
    private static readonly JsonEncodedText NumName = JsonEncodedText.Encode("num");

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_json;

    [ThreadStatic]
    private static bool t_busy;

    // Relaxed escaping keeps non-ASCII text as UTF-8 instead of \uXXXX: the output is JSON for a socket, not HTML.
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        SkipValidation = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Encodes an EVENT (or BINARY_EVENT) packet <c>["name", ...args]</c>.</summary>
    /// <param name="namespaceName">The namespace.</param>
    /// <param name="eventName">The event name.</param>
    /// <param name="args">The arguments.</param>
    /// <param name="ackId">The acknowledgement id, or -1.</param>
    /// <param name="options">The options for arguments of other types than JSON primitives.</param>
    public static EncodedPacket WriteEvent(string namespaceName, string eventName, ReadOnlySpan<object?> args, long ackId,
        JsonSerializerOptions options) => WriteEvent(namespaceName, eventName, args, ackId, options, out _);

    /// <summary>Encodes an EVENT packet and says where its JSON payload starts in <see cref="EncodedPacket.Text"/>.</summary>
    internal static EncodedPacket WriteEvent(string namespaceName, string eventName, ReadOnlySpan<object?> args, long ackId,
        JsonSerializerOptions options, out int payloadStart)
    {
        var attachmentCount = CountBinary(args);
        var type = attachmentCount > 0 ? SocketIOPacketType.BinaryEvent : SocketIOPacketType.Event;
        using var scope = new WriterScope();
        var buffer = scope.Buffer;
        WriteHeader(buffer, type, attachmentCount, namespaceName, ackId);
        payloadStart = buffer.WrittenCount;
        var json = scope.Json;
        json.WriteStartArray();
        json.WriteStringValue(eventName);
        var attachments = WriteArguments(json, args, attachmentCount, options);
        json.WriteEndArray();
        return new EncodedPacket(scope.ToArray(), attachments);
    }

    /// <summary>Encodes an ACK (or BINARY_ACK) packet <c>[...args]</c>.</summary>
    /// <param name="namespaceName">The namespace.</param>
    /// <param name="ackId">The acknowledgement id being answered.</param>
    /// <param name="args">The arguments.</param>
    /// <param name="options">The options for arguments of other types than JSON primitives.</param>
    public static EncodedPacket WriteAck(string namespaceName, long ackId, ReadOnlySpan<object?> args,
        JsonSerializerOptions options)
    {
        var attachmentCount = CountBinary(args);
        var type = attachmentCount > 0 ? SocketIOPacketType.BinaryAck : SocketIOPacketType.Ack;
        using var scope = new WriterScope();
        var buffer = scope.Buffer;
        WriteHeader(buffer, type, attachmentCount, namespaceName, ackId);
        var json = scope.Json;
        json.WriteStartArray();
        var attachments = WriteArguments(json, args, attachmentCount, options);
        json.WriteEndArray();
        return new EncodedPacket(scope.ToArray(), attachments);
    }

    /// <summary>Encodes a packet whose JSON payload is already written (a packet relayed from another server).</summary>
    /// <param name="type">EVENT or ACK; the binary type is chosen when there are attachments.</param>
    /// <param name="namespaceName">The namespace.</param>
    /// <param name="ackId">The acknowledgement id, or -1.</param>
    /// <param name="payload">The UTF-8 JSON payload, placeholders included.</param>
    /// <param name="attachments">The binary attachments the placeholders point to.</param>
    public static EncodedPacket WriteRaw(SocketIOPacketType type, string namespaceName, long ackId, ReadOnlySpan<byte> payload,
        ReadOnlyMemory<byte>[]? attachments)
    {
        var count = attachments?.Length ?? 0;
        if (count > 0)
        {
            type = type == SocketIOPacketType.Ack ? SocketIOPacketType.BinaryAck : SocketIOPacketType.BinaryEvent;
        }
        using var scope = new WriterScope();
        var buffer = scope.Buffer;
        WriteHeader(buffer, type, count, namespaceName, ackId);
        buffer.Write(payload);
        return new EncodedPacket(buffer.WrittenSpan.ToArray(), count > 0 ? attachments : null);
    }

    /// <summary>Encodes the CONNECT answer <c>0[/nsp,]{"sid":"…"[,"pid":"…"]}</c>.</summary>
    /// <param name="namespaceName">The namespace.</param>
    /// <param name="socketId">The new socket's id.</param>
    /// <param name="privateId">The private session id a client recovers the socket with, when recovery is on.</param>
    public static byte[] WriteConnect(string namespaceName, string socketId, string? privateId = null)
    {
        using var scope = new WriterScope();
        var buffer = scope.Buffer;
        WriteHeader(buffer, SocketIOPacketType.Connect, 0, namespaceName, -1);
        var json = scope.Json;
        json.WriteStartObject();
        json.WriteString(SidName, socketId);
        if (privateId is not null)
        {
            json.WriteString(PidName, privateId);
        }
        json.WriteEndObject();
        return scope.ToArray();
    }

    /// <summary>Encodes CONNECT_ERROR <c>4[/nsp,]{"message":"…"[,"data":…]}</c>.</summary>
    /// <param name="namespaceName">The namespace.</param>
    /// <param name="message">The message the client's <c>connect_error</c> sees.</param>
    /// <param name="data">Optional extra data (<c>err.data</c>).</param>
    public static byte[] WriteConnectError(string namespaceName, string message, JsonElement? data)
    {
        using var scope = new WriterScope();
        var buffer = scope.Buffer;
        WriteHeader(buffer, SocketIOPacketType.ConnectError, 0, namespaceName, -1);
        var json = scope.Json;
        json.WriteStartObject();
        json.WriteString(MessageName, message);
        if (data is { } value)
        {
            json.WritePropertyName(DataName);
            value.WriteTo(json);
        }
        json.WriteEndObject();
        return scope.ToArray();
    }

    /// <summary>Encodes DISCONNECT <c>1[/nsp,]</c>.</summary>
    /// <param name="namespaceName">The namespace.</param>
    public static byte[] WriteDisconnect(string namespaceName)
    {
        using var scope = new WriterScope();
        var buffer = scope.Buffer;
        WriteHeader(buffer, SocketIOPacketType.Disconnect, 0, namespaceName, -1);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteHeader(ArrayBufferWriter<byte> buffer, SocketIOPacketType type, int attachments,
        string namespaceName, long ackId)
    {
        var span = buffer.GetSpan(2);
        span[0] = (byte)EngineIOPacketType.Message;
        span[1] = (byte)('0' + (int)type);
        buffer.Advance(2);
        if (attachments > 0)
        {
            WriteNumber(buffer, attachments);
            WriteByte(buffer, (byte)'-');
        }
        if (namespaceName != NamespaceNameTable.Root)
        {
            var length = System.Text.Encoding.UTF8.GetByteCount(namespaceName);
            System.Text.Encoding.UTF8.GetBytes(namespaceName, buffer.GetSpan(length));
            buffer.Advance(length);
            WriteByte(buffer, (byte)',');
        }
        if (ackId >= 0)
        {
            WriteNumber(buffer, ackId);
        }
    }

    private static void WriteNumber(ArrayBufferWriter<byte> buffer, long value)
    {
        Utf8Formatter.TryFormat(value, buffer.GetSpan(20), out var written);
        buffer.Advance(written);
    }

    private static void WriteByte(ArrayBufferWriter<byte> buffer, byte value)
    {
        buffer.GetSpan(1)[0] = value;
        buffer.Advance(1);
    }

    private static int CountBinary(ReadOnlySpan<object?> args)
    {
        var count = 0;
        foreach (var arg in args)
        {
            if (IsBinary(arg))
            {
                count++;
            }
        }
        return count;
    }

    private static bool IsBinary(object? arg) =>
        arg is byte[] or ReadOnlyMemory<byte> or Memory<byte> or ArraySegment<byte>;

    private static ReadOnlyMemory<byte> AsMemory(object arg) => arg switch
    {
        byte[] array => array,
        ReadOnlyMemory<byte> memory => memory,
        Memory<byte> memory => memory,
        ArraySegment<byte> segment => segment,
        _ => throw new ArgumentException("Not binary.", nameof(arg)),
    };

    private static ReadOnlyMemory<byte>[]? WriteArguments(Utf8JsonWriter json, ReadOnlySpan<object?> args,
        int attachmentCount, JsonSerializerOptions options)
    {
        var attachments = attachmentCount > 0 ? new ReadOnlyMemory<byte>[attachmentCount] : null;
        var next = 0;
        foreach (var arg in args)
        {
            if (attachments is not null && IsBinary(arg))
            {
                attachments[next] = AsMemory(arg!);
                json.WriteStartObject();
                json.WriteBoolean(PlaceholderName, true);
                json.WriteNumber(NumName, next);
                json.WriteEndObject();
                next++;
                continue;
            }
            WriteValue(json, arg, options);
        }
        return attachments;
    }

    /// <summary>Writes one argument; JSON primitives and <see cref="JsonElement"/> skip the serializer.</summary>
    internal static void WriteValue(Utf8JsonWriter json, object? value, JsonSerializerOptions options)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case string text:
                json.WriteStringValue(text);
                break;
            case bool flag:
                json.WriteBooleanValue(flag);
                break;
            case int number:
                json.WriteNumberValue(number);
                break;
            case long number:
                json.WriteNumberValue(number);
                break;
            case double number:
                json.WriteNumberValue(number);
                break;
            case JsonElement element:
                element.WriteTo(json);
                break;
            default:
                JsonSerializer.Serialize(json, value, options.GetTypeInfo(value.GetType()));
                break;
        }
    }

    /// <summary>The per-thread buffer and JSON writer. A converter that emits while a packet is being written
    /// re-enters on the same thread; that nested write gets fresh instances instead of corrupting the outer one.</summary>
    private ref struct WriterScope
    {
        private readonly bool _pooled;

        public WriterScope()
        {
            _pooled = !t_busy;
            if (_pooled)
            {
                t_busy = true;
                Buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
                Buffer.ResetWrittenCount();
                Json = t_json ??= new Utf8JsonWriter(Buffer, WriterOptions);
                Json.Reset(Buffer);
            }
            else
            {
                Buffer = new ArrayBufferWriter<byte>(256);
                Json = new Utf8JsonWriter(Buffer, WriterOptions);
            }
        }

        public ArrayBufferWriter<byte> Buffer { get; }

        public Utf8JsonWriter Json { get; }

        public readonly byte[] ToArray()
        {
            Json.Flush();
            return Buffer.WrittenSpan.ToArray();
        }

        public readonly void Dispose()
        {
            if (_pooled)
            {
                t_busy = false;
            }
        }
    }
}
