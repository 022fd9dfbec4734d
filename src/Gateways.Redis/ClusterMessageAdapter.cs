using System.Text.Json;
using Gateways.SocketIO;
using Microsoft.Extensions.Logging;

namespace Gateways.Adapters.Redis;

/// <summary>
/// The message protocol of socket.io-adapter's <c>ClusterAdapter</c>, which Node's sharded Redis adapter and its Redis
/// Streams adapter both speak: every message is <c>{uid, nsp, type, data}</c>, requests carry a <c>requestId</c> and
/// are answered on the asker's own channel. The subclasses decide where a message travels (sharded pub/sub, a stream).
/// </summary>
public abstract class ClusterMessageAdapter : RedisClusterAdapter
{
    /// <summary>socket.io-adapter's <c>MessageType</c>.</summary>
    private protected enum MessageType
    {
        Broadcast = 3,
        SocketsJoin = 4,
        SocketsLeave = 5,
        DisconnectSockets = 6,
        FetchSockets = 7,
        FetchSocketsResponse = 8,
        ServerSideEmit = 9,
        ServerSideEmitResponse = 10,
        BroadcastClientCount = 11,
        BroadcastAck = 12,
    }

    private protected ClusterMessageAdapter(IGatewayAdapterContext context, RedisAdapterConnection redis, RedisAdapterOptions options,
        ILogger logger)
        : base(context, redis, options, logger, RedisWire.NewId(8))
    {
    }

    /// <summary>Sends a message every other server of the namespace hears.</summary>
    private protected abstract void PublishMessage(MessageType type, Action<Utf8JsonWriter> data, IReadOnlyList<ReadOnlyMemory<byte>>? attachments);

    /// <summary>Sends an answer to the server that asked.</summary>
    private protected abstract void PublishResponse(string requesterUid, MessageType type, Action<Utf8JsonWriter> data,
        IReadOnlyList<ReadOnlyMemory<byte>>? attachments);

    /// <summary>The message envelope <c>{type, data, uid, nsp}</c> as JSON (binary as placeholders).</summary>
    private protected byte[] Envelope(MessageType type, Action<Utf8JsonWriter> data) => RedisWire.Json(json =>
    {
        json.WriteNumber("type", (int)type);
        json.WriteStartObject("data");
        data(json);
        json.WriteEndObject();
        json.WriteString("uid", Uid);
        json.WriteString("nsp", Context.Namespace);
    });

    /// <summary>The <c>data</c> of a broadcast without acknowledgements: the packet and its targets.</summary>
    private protected static void WriteBroadcast(Utf8JsonWriter json, byte[] packetJson, BroadcastOptions options)
    {
        json.WritePropertyName("packet");
        json.WriteRawValue(packetJson, skipInputValidation: true);
        RedisWire.WriteOptions(json, "opts", options);
    }

    private protected override void PublishFetch(string requestId, BroadcastOptions options) =>
        PublishMessage(MessageType.FetchSockets, json =>
        {
            RedisWire.WriteOptions(json, "opts", options);
            json.WriteString("requestId", requestId);
        }, null);

    private protected override void PublishCommand(ClusterCommand command, Action<Utf8JsonWriter> body) =>
        PublishMessage(command switch
        {
            ClusterCommand.Join => MessageType.SocketsJoin,
            ClusterCommand.Leave => MessageType.SocketsLeave,
            _ => MessageType.DisconnectSockets,
        }, body, null);

    private protected override void PublishBroadcastWithAck(string requestId, byte[] packet, IReadOnlyList<ReadOnlyMemory<byte>>? attachments,
        BroadcastOptions options, TimeSpan timeout) =>
        PublishMessage(MessageType.Broadcast, json =>
        {
            json.WritePropertyName("packet");
            json.WriteRawValue(packet, skipInputValidation: true);
            json.WriteString("requestId", requestId);
            RedisWire.WriteOptions(json, "opts", options, timeout);
        }, attachments);

    private protected override void PublishServerSideEmit(string? requestId, byte[] data, IReadOnlyList<ReadOnlyMemory<byte>>? attachments) =>
        PublishMessage(MessageType.ServerSideEmit, json =>
        {
            if (requestId is not null)
            {
                json.WriteString("requestId", requestId);
            }
            json.WritePropertyName("packet");
            json.WriteRawValue(data, skipInputValidation: true);
        }, attachments);

    private void Respond(string? requesterUid, MessageType type, Action<Utf8JsonWriter> data,
        IReadOnlyList<ReadOnlyMemory<byte>>? attachments = null)
    {
        if (requesterUid is not null)
        {
            PublishResponse(requesterUid, type, data, attachments);
        }
    }

    /// <summary>Delivers another server's broadcast without acknowledgements to the local targets; <paramref name="offset"/>
    /// is where the message was stored, when it was (a stream entry id).</summary>
    private protected virtual void OnBroadcast(JsonElement packet, List<ReadOnlyMemory<byte>> attachments, BroadcastOptions options,
        string? offset) => DeliverLocally(packet, attachments, options);

    /// <summary>Handles one message of another server (its own are ignored).</summary>
    private protected void OnClusterMessage(JsonElement message, List<ReadOnlyMemory<byte>> attachments, string? offset = null)
    {
        var uid = RedisWire.ReadString(message, "uid");
        if (uid == Uid || RedisWire.ReadString(message, "nsp") != Context.Namespace
            || !message.TryGetProperty("type", out var t) || !TryReadType(t, out var typeValue)
            || !message.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        Internal.GatewaysMetrics.AdapterReceived();
        var requestId = RedisWire.ReadString(data, "requestId");
        var options = data.TryGetProperty("opts", out var opts) ? RedisWire.ReadOptions(opts) : BroadcastOptions.All;
        switch ((MessageType)typeValue)
        {
            case MessageType.Broadcast when requestId is null:
                using (StartRemoteBroadcast(opts))
                {
                    OnBroadcast(data.GetProperty("packet"), attachments, options, offset);
                }
                break;
            case MessageType.Broadcast:
                _ = ServeBroadcastWithAckAsync(data.GetProperty("packet"), attachments, options,
                    RedisWire.ReadTimeout(opts) ?? Options.RequestsTimeout,
                    count => Respond(uid, MessageType.BroadcastClientCount, json =>
                    {
                        json.WriteString("requestId", requestId);
                        json.WriteNumber("clientCount", count);
                    }),
                    (answer, answerAttachments) => Respond(uid, MessageType.BroadcastAck, json =>
                    {
                        json.WriteString("requestId", requestId);
                        WriteAnswer(json, "packet", answer);
                    }, answerAttachments));
                break;
            case MessageType.SocketsJoin:
                RunCommandLocally(ClusterCommand.Join, data, options);
                break;
            case MessageType.SocketsLeave:
                RunCommandLocally(ClusterCommand.Leave, data, options);
                break;
            case MessageType.DisconnectSockets:
                RunCommandLocally(ClusterCommand.Disconnect, data, options);
                break;
            case MessageType.FetchSockets when requestId is not null:
                Respond(uid, MessageType.FetchSocketsResponse, json =>
                {
                    json.WriteString("requestId", requestId);
                    WriteLocalSockets(json, options);
                });
                break;
            case MessageType.ServerSideEmit when data.TryGetProperty("packet", out var packet):
                _ = ServeServerSideEmitAsync(packet, attachments, requestId is null ? null : answer =>
                    Respond(uid, MessageType.ServerSideEmitResponse, json =>
                    {
                        json.WriteString("requestId", requestId);
                        json.WritePropertyName("packet");
                        json.WriteRawValue(answer, skipInputValidation: true);
                    }));
                break;
            case MessageType.FetchSocketsResponse when requestId is not null:
                OnRequestAnswer(requestId, data, attachments);
                break;
            case MessageType.ServerSideEmitResponse when requestId is not null:
                OnRequestAnswer(requestId, data.TryGetProperty("packet", out var answerPacket) ? answerPacket : default, attachments);
                break;
            case MessageType.BroadcastClientCount when requestId is not null && data.TryGetProperty("clientCount", out var count) && count.TryGetInt32(out var clients):
                OnClientCount(requestId, clients);
                break;
            case MessageType.BroadcastAck when requestId is not null:
                OnClientAnswer(requestId, data.TryGetProperty("packet", out var ackPacket) ? ackPacket : null, attachments);
                break;
        }
    }

    // A number on pub/sub; the streams adapter stores it as a string field.
    private static bool TryReadType(JsonElement type, out int value) =>
        type.ValueKind == JsonValueKind.String ? int.TryParse(type.GetString(), out value) : type.TryGetInt32(out value);
}
