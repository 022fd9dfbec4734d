using System.Security.Claims;
using System.Text.Json;

namespace Gateways.Adapters.Redis;

/// <summary>
/// A socket connected to another server of the cluster, as <c>FetchSocketsAsync</c> returns it (socket.io's
/// <c>RemoteSocket</c>): its id, rooms, handshake and data, and operations that travel through the adapter.
/// </summary>
internal sealed class RemoteGatewaySocket : IGatewaySocket
{
    private readonly IGatewayServer _namespace;

    public RemoteGatewaySocket(JsonElement socket, IGatewayAdapterContext context)
    {
        _namespace = context.Server;
        Id = socket.GetProperty("id").GetString()!;
        Rooms = socket.TryGetProperty("rooms", out var rooms) && rooms.ValueKind == JsonValueKind.Array
            ? [.. rooms.EnumerateArray().Select(r => r.ToString())]
            : [Id];
        var handshake = socket.TryGetProperty("handshake", out var h) ? h : default;
        Handshake = new Handshake(
            Strings(handshake, "headers", StringComparer.OrdinalIgnoreCase),
            Strings(handshake, "query", StringComparer.Ordinal),
            handshake.ValueKind == JsonValueKind.Object && handshake.TryGetProperty("auth", out var auth) ? auth.Clone() : JsonElement.Parse("{}"),
            Text(handshake, "address"),
            Text(handshake, "url"),
            handshake.ValueKind == JsonValueKind.Object && handshake.TryGetProperty("secure", out var secure) && secure.ValueKind == JsonValueKind.True,
            handshake.ValueKind == JsonValueKind.Object && handshake.TryGetProperty("issued", out var issued) && issued.TryGetInt64(out var ms)
                ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : DateTimeOffset.UnixEpoch);
        if (socket.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in data.EnumerateObject())
            {
                Items[property.Name] = property.Value.Clone();
            }
            if (data.TryGetProperty("userId", out var userId) && userId.ValueKind == JsonValueKind.String)
            {
                UserId = userId.GetString();
            }
        }
    }

    public string Id { get; }

    public string Namespace => _namespace.Name;

    public Handshake Handshake { get; }

    public ClaimsPrincipal? User { get; set; }

    public string? UserId { get; set; }

    public IReadOnlyCollection<string> Rooms { get; }

    public bool Connected => true;

    public CancellationToken Disconnected => CancellationToken.None;

    public IDictionary<string, object?> Items { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    public void Join(string room) => _namespace.To(Id).SocketsJoin(room);

    public void Join(IEnumerable<string> rooms)
    {
        foreach (var room in rooms)
        {
            Join(room);
        }
    }

    public void Leave(string room) => _namespace.To(Id).SocketsLeave(room);

    public void Emit(string eventName, params object?[] args) => _namespace.To(Id).Emit(eventName, args);

    // Whether its server's transport took it is not known here.
    public bool EmitVolatile(string eventName, params object?[] args)
    {
        _namespace.To(Id).Volatile.Emit(eventName, args);
        return true;
    }

    public async Task<EventArguments> EmitWithAckAsync(string eventName, TimeSpan timeout, params object?[] args)
    {
        var answers = await _namespace.To(Id).EmitWithAckAsync(eventName, timeout, args);
        return answers.Count > 0 ? answers[0] : throw new TimeoutException($"Socket '{Id}' did not acknowledge event '{eventName}'.");
    }

    public IBroadcastOperator To(string room) => _namespace.To(room).Except(Id);

    public IBroadcastOperator Broadcast => _namespace.Except(Id);

    public void Disconnect(bool close = false) => _namespace.To(Id).DisconnectSockets(close);

    /// <summary>A local socket in the shape Node's adapter answers REMOTE_FETCH with.</summary>
    public static void Write(Utf8JsonWriter json, IGatewaySocket socket)
    {
        json.WriteStartObject();
        json.WriteString("id", socket.Id);
        // socket.io's handshake shape, as Handshake serializes itself.
        json.WritePropertyName("handshake");
        JsonSerializer.Serialize(json, socket.Handshake, Internal.GatewaysJsonContext.Default.Handshake);
        json.WriteStartArray("rooms");
        foreach (var room in socket.Rooms)
        {
            json.WriteStringValue(room);
        }
        json.WriteEndArray();
        json.WriteStartObject("data");
        if (socket.UserId is { } userId)
        {
            json.WriteString("userId", userId);
        }
        // Where Node's admin-ui keeps a socket's engine id and transport, so a page on another server shows them.
        if (AdminUI.AdminUIJson.EngineOf(socket) is ({ } clientId, { } transport))
        {
            json.WriteStartObject(AdminUI.AdminUIJson.AdminDataKey);
            json.WriteString("clientId", clientId);
            json.WriteString("transport", transport);
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static Dictionary<string, string> Strings(JsonElement parent, string name, StringComparer comparer)
    {
        var values = new Dictionary<string, string>(comparer);
        if (parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var map) && map.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in map.EnumerateObject())
            {
                values[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }
        }
        return values;
    }

    private static string Text(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()! : "";
}
