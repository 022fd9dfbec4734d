using System.Collections.Concurrent;
using System.Text.Json;

namespace Gateways.Tests.Gateways;

// The NestJS seed's gateways, written in C# almost line for line.

public sealed record JoinRoomDto(string RoomId);

public sealed record SendMessageDto(string RoomId, string Text);

public sealed record ChatMessage(int Id, string RoomId, string UserId, string Text, DateTimeOffset CreatedAt);

/// <summary>The seed's ChatService, kept in memory for the tests.</summary>
public sealed class ChatService
{
    private int _nextId;

    public ConcurrentQueue<ChatMessage> Saved { get; } = new();

    public Task<ChatMessage> SaveMessageAsync(string roomId, string userId, string text)
    {
        var message = new ChatMessage(Interlocked.Increment(ref _nextId), roomId, userId, text, DateTimeOffset.UnixEpoch);
        Saved.Enqueue(message);
        return Task.FromResult(message);
    }
}

[WebSocketGateway("/chat")]
public sealed class ChatGateway(ChatService chatService)
{
    [WebSocketServer]
    public IGatewayServer Server { get; set; } = null!;

    [SubscribeMessage("joinRoom")]
    public WsResponse<string> HandleJoinRoom([MessageBody] JoinRoomDto data, [ConnectedSocket] IGatewaySocket client)
    {
        client.Join(data.RoomId);
        client.To(data.RoomId).Emit("notification", new { text = "Another user joined", roomId = data.RoomId, userId = client.Id });
        return new WsResponse<string>("joinedRoom", data.RoomId);
    }

    [SubscribeMessage("leaveRoom")]
    public void HandleLeaveRoom([MessageBody("roomId")] string roomId, [ConnectedSocket] IGatewaySocket client) =>
        client.Leave(roomId);

    [SubscribeMessage("sendMessage")]
    public async Task<ChatMessage> HandleMessage([MessageBody] SendMessageDto data, [ConnectedSocket] IGatewaySocket client)
    {
        var message = await chatService.SaveMessageAsync(data.RoomId, client.Id, data.Text);
        Server.To(data.RoomId).Emit("newMessage", message);
        return message;
    }
}

/// <summary>The seed's AppGateway: lifecycle hooks, and the positional NestJS form with no attributes at all.</summary>
[WebSocketGateway]
public sealed class AppGateway : IOnGatewayInit, IOnGatewayConnection, IOnGatewayDisconnect
{
    [WebSocketServer]
    public IGatewayServer Server { get; set; } = null!;

    public ConcurrentQueue<string> Log { get; } = new();

    public void AfterInit(IGatewayServer server) => Log.Enqueue($"init {server.Name} {ReferenceEquals(server, Server)}");

    public void HandleConnection(IGatewaySocket client) => Log.Enqueue($"connected {client.Id}");

    public void HandleDisconnect(IGatewaySocket client) => Log.Enqueue($"disconnected {client.Id}");

    [SubscribeMessage("message")]
    public void HandleMessage(IGatewaySocket client, JsonElement payload) => Server.Emit("message", payload);
}
