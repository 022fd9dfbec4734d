using System.Buffers;
using System.Text.Json;
using Gateways.Adapters;
using Gateways.SocketIO;
using Microsoft.Extensions.Logging;

namespace Gateways.BusAdapter;

/// <summary>
/// Makes the servers on one <see cref="InProcessBus"/> act as one: broadcasts, <c>SocketsJoin</c>/<c>Leave</c>,
/// disconnects and server-side emits reach the other servers' sockets. Built on the in-memory adapter (rooms of this
/// server's sockets) and <see cref="IGatewayAdapterContext"/>, nothing else: each operation is published, then run
/// locally; a message from another server is run locally only.
/// </summary>
/// <remarks>Broadcasts with acknowledgements and fetching sockets stay local in this example: they need a
/// request/response protocol on the bus, which the Redis adapters show.</remarks>
public sealed class BusGatewayAdapter : InMemoryGatewayAdapter, IDisposable
{
    private readonly InProcessBus _bus;
    private readonly string _serverId = Guid.NewGuid().ToString("N");
    private readonly IDisposable _subscription;

    /// <summary>Creates the adapter of one namespace and subscribes to the bus.</summary>
    /// <param name="context">The namespace on this server.</param>
    /// <param name="bus">The bus the servers share.</param>
    public BusGatewayAdapter(IGatewayAdapterContext context, InProcessBus bus) : base(context)
    {
        _bus = bus;
        _subscription = bus.Subscribe(OnMessageAsync);
    }

    /// <inheritdoc/>
    public override void Broadcast(OutgoingPacket packet, BroadcastOptions options)
    {
        // The model gives the JSON payload and attachments as socket.io writes them: nothing is parsed again.
        Publish("broadcast", options, json =>
        {
            json.WriteNumber("type", (int)packet.Type);
            json.WriteNumber("ackId", packet.AckId);
            json.WritePropertyName("data");
            json.WriteRawValue(packet.Payload.Span, skipInputValidation: true);
            WriteAttachments(json, packet.Attachments);
        });
        base.Broadcast(packet, options);
    }

    /// <inheritdoc/>
    public override void AddSockets(BroadcastOptions options, IReadOnlyCollection<string> rooms)
    {
        Publish("join", options, json => WriteStrings(json, "targetRooms", rooms));
        base.AddSockets(options, rooms);
    }

    /// <inheritdoc/>
    public override void DelSockets(BroadcastOptions options, IReadOnlyCollection<string> rooms)
    {
        Publish("leave", options, json => WriteStrings(json, "targetRooms", rooms));
        base.DelSockets(options, rooms);
    }

    /// <inheritdoc/>
    public override void DisconnectSockets(BroadcastOptions options, bool close)
    {
        Publish("disconnect", options, json => json.WriteBoolean("close", close));
        base.DisconnectSockets(options, close);
    }

    /// <inheritdoc/>
    public override void ServerSideEmit(string eventName, object?[] args) =>
        Publish("serverSideEmit", BroadcastOptions.All, json =>
        {
            json.WriteString("event", eventName);
            json.WritePropertyName("data");
            JsonSerializer.Serialize(json, args, Context.SerializerOptions);
        });

    /// <summary>Leaves the bus.</summary>
    public void Dispose() => _subscription.Dispose();

    private void Publish(string kind, BroadcastOptions options, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("from", _serverId);
            json.WriteString("nsp", Context.Namespace);
            json.WriteString("kind", kind);
            WriteStrings(json, "rooms", options.Rooms);
            WriteStrings(json, "except", options.Except);
            body(json);
            json.WriteEndObject();
        }
        _bus.Publish(buffer.WrittenSpan.ToArray());
    }

    private async Task OnMessageAsync(byte[] message)
    {
        try
        {
            using var document = JsonDocument.Parse(message);
            var root = document.RootElement;
            if (root.GetProperty("from").GetString() == _serverId || root.GetProperty("nsp").GetString() != Context.Namespace)
            {
                return;
            }
            var options = new BroadcastOptions(Strings(root, "rooms"), Strings(root, "except"));
            switch (root.GetProperty("kind").GetString())
            {
                case "broadcast":
                    // Relayed: delivered to this server's targets only (base), never published again.
                    base.Broadcast(OutgoingPacket.Relayed((SocketIOPacketType)root.GetProperty("type").GetInt32(), Context.Namespace,
                        root.GetProperty("ackId").GetInt64(), Raw(root.GetProperty("data")), Attachments(root)), options);
                    break;
                case "join":
                    base.AddSockets(options, Strings(root, "targetRooms"));
                    break;
                case "leave":
                    base.DelSockets(options, Strings(root, "targetRooms"));
                    break;
                case "disconnect":
                    base.DisconnectSockets(options, root.GetProperty("close").GetBoolean());
                    break;
                case "serverSideEmit":
                    var args = Context.ReadArguments(Raw(root.GetProperty("data")), []);
                    await Context.DispatchServerSideEmitAsync(root.GetProperty("event").GetString()!, args);
                    break;
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            // A peer's bad message harms nothing here: logged and dropped.
            Context.Logger.LogWarning(ex, "Bus adapter: dropped a malformed message for namespace '{Namespace}'.", Context.Namespace);
        }
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }

    private static void WriteAttachments(Utf8JsonWriter json, ReadOnlyMemory<byte>[]? attachments)
    {
        json.WriteStartArray("attachments");
        foreach (var attachment in attachments ?? [])
        {
            json.WriteBase64StringValue(attachment.Span);
        }
        json.WriteEndArray();
    }

    private static HashSet<string> Strings(JsonElement root, string name) =>
        [.. root.GetProperty(name).EnumerateArray().Select(value => value.GetString()!)];

    private static ReadOnlyMemory<byte>[] Attachments(JsonElement root) =>
        [.. root.GetProperty("attachments").EnumerateArray().Select(value => (ReadOnlyMemory<byte>)value.GetBytesFromBase64())];

    private static byte[] Raw(JsonElement element) => System.Text.Encoding.UTF8.GetBytes(element.GetRawText());
}

/// <summary>Creates a <see cref="BusGatewayAdapter"/> per namespace on the app's <see cref="InProcessBus"/>.</summary>
/// <param name="bus">The bus, a DI singleton.</param>
public sealed class BusGatewayAdapterFactory(InProcessBus bus) : IGatewayAdapterFactory
{
    /// <inheritdoc/>
    public IGatewayAdapter Create(IGatewayAdapterContext context) => new BusGatewayAdapter(context, bus);
}
