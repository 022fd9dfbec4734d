using System.Buffers;
using System.Text.Json;
using Gateways.Namespaces;

namespace Gateways.AdminUI;

/// <summary>The shapes <c>@socket.io/admin-ui</c>'s page reads (its <c>SerializedSocket</c>), written as JSON values
/// the namespace emits as they are.</summary>
internal static class AdminUIJson
{
    // Credentials a header may carry; the page shows headers, it need not show these.
    private static readonly HashSet<string> SecretHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "authorization", "proxy-authorization", "cookie",
    };

    /// <summary>Where the page expects the engine id and transport of a socket on another server: in its data, as
    /// Node's admin-ui keeps them (socket.data._admin), so sockets fetched across the cluster show them too.</summary>
    public const string AdminDataKey = "_admin";

    public static JsonElement Build(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }
        return JsonElement.Parse(buffer.WrittenSpan);
    }

    public static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'",
        System.Globalization.CultureInfo.InvariantCulture);

    public static void WriteSocket(Utf8JsonWriter json, IGatewaySocket socket, string @namespace, JsonSerializerOptions options)
    {
        var (clientId, transport) = EngineOf(socket);
        json.WriteStartObject();
        json.WriteString("id", socket.Id);
        WriteNullableString(json, "clientId", clientId);
        WriteNullableString(json, "transport", transport);
        json.WriteString("nsp", @namespace);
        json.WritePropertyName("data");
        WriteData(json, socket, options);
        json.WritePropertyName("handshake");
        WriteHandshake(json, socket.Handshake);
        json.WriteStartArray("rooms");
        foreach (var room in socket.Rooms)
        {
            json.WriteStringValue(room);
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The engine (connection) id shortened as the page shows it, and the transport.</summary>
    public static (string? ClientId, string? Transport) EngineOf(IGatewaySocket socket)
    {
        if (socket is GatewaySocket local)
        {
            return (local.ConnectionId[..Math.Min(12, local.ConnectionId.Length)], local.TransportName);
        }
        if (socket.Items.TryGetValue(AdminDataKey, out var value) && value is JsonElement { ValueKind: JsonValueKind.Object } admin)
        {
            return (StringProperty(admin, "clientId"), StringProperty(admin, "transport"));
        }
        return (null, null);
    }

    /// <summary>The app's per-socket data: its user id and <see cref="IGatewaySocket.Items"/> (values the app's JSON
    /// settings cannot write are shown by their text).</summary>
    private static void WriteData(Utf8JsonWriter json, IGatewaySocket socket, JsonSerializerOptions options)
    {
        json.WriteStartObject();
        if (socket.UserId is { } userId)
        {
            json.WriteString("userId", userId);
        }
        foreach (var (key, value) in socket.Items)
        {
            if (key == AdminDataKey || (key == "userId" && socket.UserId is not null))
            {
                continue;
            }
            json.WritePropertyName(key);
            WriteValue(json, value, options);
        }
        json.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter json, object? value, JsonSerializerOptions options)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                return;
            case JsonElement element:
                element.WriteTo(json);
                return;
            case string text:
                json.WriteStringValue(text);
                return;
            case bool flag:
                json.WriteBooleanValue(flag);
                return;
        }
        if (options.TryGetTypeInfo(value.GetType(), out var typeInfo))
        {
            try
            {
                var bytes = JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);
                json.WriteRawValue(bytes, skipInputValidation: true);
                return;
            }
            catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or JsonException)
            {
                // Shown by its text below.
            }
        }
        json.WriteStringValue(value.ToString());
    }

    /// <summary>socket.io's handshake without <c>auth</c> (tokens) and with credential headers hidden.</summary>
    private static void WriteHandshake(Utf8JsonWriter json, Handshake handshake)
    {
        json.WriteStartObject();
        var address = handshake.Headers.GetValueOrDefault("cf-connecting-ip")
            ?? handshake.Headers.GetValueOrDefault("x-forwarded-for")
            ?? handshake.Address;
        json.WriteString("address", address);
        json.WriteStartObject("headers");
        foreach (var (name, header) in handshake.Headers)
        {
            json.WriteString(name.ToLowerInvariant(), SecretHeaders.Contains(name) ? "(hidden)" : header);
        }
        json.WriteEndObject();
        json.WriteStartObject("query");
        foreach (var (name, parameter) in handshake.Query)
        {
            json.WriteString(name, parameter);
        }
        json.WriteEndObject();
        json.WriteNumber("issued", handshake.Issued.ToUnixTimeMilliseconds());
        json.WriteBoolean("secure", handshake.Secure);
        json.WriteString("time", handshake.Time);
        json.WriteString("url", handshake.Url);
        json.WriteBoolean("xdomain", handshake.XDomain);
        json.WriteEndObject();
    }

    /// <summary>An event as the page lists it: its name, then its arguments (binary ones as a short description).</summary>
    public static JsonElement EventArguments(string eventName, EventArguments args) => Build(json =>
    {
        json.WriteStartArray();
        json.WriteStringValue(eventName);
        for (var i = 0; i < args.Count; i++)
        {
            if (args.IsBinary(i))
            {
                json.WriteStringValue($"<binary, {args.GetBinary(i).Length} bytes>");
            }
            else
            {
                json.WriteRawValue(args.GetRawJson(i).Span, skipInputValidation: true);
            }
        }
        json.WriteEndArray();
    });

    private static void WriteNullableString(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
