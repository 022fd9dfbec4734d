using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Gateways.SocketIO;

namespace Gateways.Adapters.Redis;

/// <summary>
/// The pieces both Redis wire formats share (classic <c>@socket.io/redis-adapter</c> and its sharded
/// <c>ClusterAdapter</c> mode): messages are JSON, or MessagePack (notepack.io's layout) when they carry binary;
/// socket.io packets travel as <c>{type, data, nsp, id?}</c>; broadcast options as <c>{rooms, except, flags}</c>.
/// Here every message is built and read as JSON, binary as socket.io placeholders beside a list of attachments.
/// </summary>
internal static class RedisWire
{
    /// <summary>Builds a JSON object message.</summary>
    public static byte[] Json(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A message as it goes on the wire: JSON as is, MessagePack when it holds binary (the Node adapters
    /// switch on the first byte, <c>{</c> or not).</summary>
    public static byte[] Finish(byte[] json, IReadOnlyList<ReadOnlyMemory<byte>>? attachments) =>
        attachments is { Count: > 0 } ? ToMessagePack(json, attachments) : json;

    /// <summary>Converts JSON with placeholders to MessagePack with binary in their place.</summary>
    public static byte[] ToMessagePack(ReadOnlySpan<byte> json, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        var buffer = new ArrayBufferWriter<byte>(json.Length + 64);
        new MessagePackWriter(buffer).WriteJson(json, attachments);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a JSON or MessagePack message; binary becomes placeholders into <paramref name="attachments"/>.</summary>
    public static JsonElement Parse(ReadOnlySpan<byte> message, out List<ReadOnlyMemory<byte>> attachments)
    {
        attachments = [];
        if (message.Length > 0 && message[0] == (byte)'{')
        {
            return JsonElement.Parse(message);
        }
        var buffer = new ArrayBufferWriter<byte>(message.Length * 2);
        using (var json = new Utf8JsonWriter(buffer))
        {
            var reader = new MessagePackReader(message);
            reader.ReadAsJson(json, attachments);
        }
        return JsonElement.Parse(buffer.WrittenSpan);
    }

    /// <summary>Writes socket.io's packet object <c>{type, data, nsp, id?}</c>.</summary>
    public static void WritePacket(Utf8JsonWriter json, SocketIOPacketType type, long ackId, ReadOnlySpan<byte> payload, string nsp)
    {
        json.WriteStartObject();
        json.WriteNumber("type", (int)type);
        json.WritePropertyName("data");
        json.WriteRawValue(payload, skipInputValidation: true);
        json.WriteString("nsp", nsp);
        if (ackId >= 0)
        {
            json.WriteNumber("id", ackId);
        }
        json.WriteEndObject();
    }

    /// <summary>Reads socket.io's packet object; binary events and acks come back as plain ones, their binary as
    /// placeholders into the message's attachments.</summary>
    public static bool TryReadPacket(JsonElement packet, out string nsp, out SocketIOPacketType type, out long ackId,
        out byte[] payload)
    {
        nsp = packet.ValueKind == JsonValueKind.Object && packet.TryGetProperty("nsp", out var n) && n.ValueKind == JsonValueKind.String
            ? n.GetString()! : "/";
        type = packet.ValueKind == JsonValueKind.Object && packet.TryGetProperty("type", out var t) && t.TryGetInt32(out var typeValue)
            ? (SocketIOPacketType)typeValue : SocketIOPacketType.Event;
        type = type switch
        {
            SocketIOPacketType.BinaryEvent => SocketIOPacketType.Event,
            SocketIOPacketType.BinaryAck => SocketIOPacketType.Ack,
            _ => type,
        };
        ackId = packet.ValueKind == JsonValueKind.Object && packet.TryGetProperty("id", out var id) && id.TryGetInt64(out var idValue) ? idValue : -1;
        if (packet.ValueKind != JsonValueKind.Object || !packet.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            payload = [];
            return false;
        }
        payload = System.Text.Encoding.UTF8.GetBytes(data.GetRawText());
        return true;
    }

    /// <summary>Writes <c>{rooms, except, flags}</c>.</summary>
    public static void WriteOptions(Utf8JsonWriter json, string propertyName, BroadcastOptions options, TimeSpan? timeout = null)
    {
        json.WriteStartObject(propertyName);
        WriteStrings(json, "rooms", options.Rooms);
        WriteStrings(json, "except", options.Except);
        json.WriteStartObject("flags");
        if (options.IsVolatile)
        {
            json.WriteBoolean("volatile", true);
        }
        if (timeout is { } value)
        {
            json.WriteNumber("timeout", (long)value.TotalMilliseconds);
        }
        json.WriteEndObject();
        // Trace context for the receiving servers' spans; Node's adapters ignore fields they do not know.
        if (Internal.GatewaysTracing.CurrentContext() is { } trace)
        {
            json.WriteString("traceparent", trace.TraceParent);
            if (trace.TraceState is { } state)
            {
                json.WriteString("tracestate", state);
            }
        }
        json.WriteEndObject();
    }

    /// <summary>The W3C trace context a broadcast's options carry (<see cref="WriteOptions"/>), if any.</summary>
    public static (string? TraceParent, string? TraceState) ReadTraceContext(JsonElement opts) =>
        opts.ValueKind == JsonValueKind.Object
            ? (ReadString(opts, "traceparent"), ReadString(opts, "tracestate"))
            : (null, null);

    /// <summary>Reads <c>{rooms, except}</c>; anything else targets every socket.</summary>
    public static BroadcastOptions ReadOptions(JsonElement opts)
    {
        static HashSet<string> Set(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array
                ? new HashSet<string>(list.EnumerateArray().Select(e => e.ToString()), StringComparer.Ordinal)
                : new HashSet<string>(StringComparer.Ordinal);
        var isVolatile = opts.ValueKind == JsonValueKind.Object && opts.TryGetProperty("flags", out var flags)
            && flags.ValueKind == JsonValueKind.Object && flags.TryGetProperty("volatile", out var v) && v.ValueKind == JsonValueKind.True;
        return new BroadcastOptions(Set(opts, "rooms"), Set(opts, "except")) { Flags = isVolatile ? BroadcastFlags.Volatile : BroadcastFlags.None };
    }

    /// <summary>The <c>flags.timeout</c> of broadcast options, when there is one.</summary>
    public static TimeSpan? ReadTimeout(JsonElement opts) =>
        opts.ValueKind == JsonValueKind.Object && opts.TryGetProperty("flags", out var flags) && flags.ValueKind == JsonValueKind.Object
            && flags.TryGetProperty("timeout", out var t) && t.TryGetDouble(out var ms) ? Internal.TimerLimits.FromMilliseconds(ms) : null;

    public static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }

    public static string[] ReadStrings(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array
            ? [.. list.EnumerateArray().Select(e => e.ToString())]
            : [];

    public static string? ReadString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() : null;

    /// <summary>A random hex id, as the Node adapters make for requests and servers.</summary>
    public static string NewId(int bytes)
    {
        Span<byte> random = stackalloc byte[bytes];
        RandomNumberGenerator.Fill(random);
        return Convert.ToHexStringLower(random);
    }
}
