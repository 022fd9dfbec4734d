using Chat.Services;
using Gateways;

namespace Chat.Gateways;

/// <summary>The seed's ChatGateway: a room chat with saved history. Every socket is authenticated (JWT) and in the
/// room of its user id.</summary>
[WebSocketGateway(ClientEvents = typeof(IChatClient))]
public sealed class ChatGateway(ChatService chatService)
{
    [WebSocketServer]
    public IGatewayServer Server { get; set; } = null!;

    /// <summary>Everyone, the sender included, gets the message.</summary>
    [SubscribeMessage("message")]
    public Ok HandleMessage([MessageBody] MessageDto message)
    {
        Server.Typed<IChatClient>().Message(message);
        return new Ok();
    }

    [SubscribeMessage("joinRoom")]
    public Ok HandleJoinRoom([MessageBody] RoomDto data, [ConnectedSocket] IGatewaySocket client, [WsUser] ChatUser user)
    {
        EnsureNotPrivate(data.RoomId!, client, user);
        client.Join(data.RoomId!);
        client.Typed<IChatClient>().JoinedRoom(new RoomJoined(data.RoomId!));
        client.To(data.RoomId!).Typed<IChatClient>().Notification(new ChatNotification(Text: "Another user joined", RoomId: data.RoomId, UserId: user.Id));
        return new Ok();
    }

    [SubscribeMessage("leaveRoom")]
    public Ok HandleLeaveRoom([MessageBody] RoomDto data, [ConnectedSocket] IGatewaySocket client)
    {
        client.Leave(data.RoomId!);
        return new Ok();
    }

    /// <summary>Saved first; then every socket in the room (sender too) gets it; the ack is the saved message.</summary>
    [SubscribeMessage("sendMessage")]
    public async Task<ChatMessage> HandleSendMessage([MessageBody] SendMessageDto data, [ConnectedSocket] IGatewaySocket client,
        [WsUser] ChatUser user, CancellationToken cancellationToken)
    {
        EnsureNotPrivate(data.RoomId!, client, user);
        var message = await chatService.SaveMessageAsync(data.RoomId!, user.Id, data.Text!, cancellationToken);
        Server.To(data.RoomId!).Typed<IChatClient>().NewMessage(message);
        return message;
    }

    /// <summary>Another user's personal room (the framework knows those online; the service remembers every user)
    /// and another socket's room are nobody else's to read or post into.</summary>
    private void EnsureNotPrivate(string roomId, IGatewaySocket client, ChatUser user)
    {
        if (!client.CanJoin(roomId) || chatService.IsPersonalRoomOfAnother(roomId, user.Id))
        {
            throw new PrivateRoomException(roomId, $"Room '{roomId}' is another user's private room.");
        }
    }
}

/// <summary>The seed's AppGateway: logs connects and disconnects.</summary>
[WebSocketGateway]
public sealed class AppGateway(ILogger<AppGateway> logger, ChatService chatService) : IOnGatewayInit, IOnGatewayConnection, IOnGatewayDisconnect
{
    public void AfterInit(IGatewayServer server) => logger.LogInformation("Chat gateway ready on namespace '{Namespace}'.", server.Name);

    public void HandleConnection(IGatewaySocket client)
    {
        logger.LogInformation("Client connected: {SocketId} (user {UserId}).", client.Id, client.UserId);
        if (client.UserId is { } userId)
        {
            chatService.RememberUser(userId);
        }
    }

    public void HandleDisconnect(IGatewaySocket client) =>
        logger.LogInformation("Client disconnected: {SocketId} (user {UserId}).", client.Id, client.UserId);
}

/// <summary>The seed's JwtPayloadType: the user as handlers see it.</summary>
public sealed record ChatUser(string Id) : IWsUser<ChatUser>
{
    public static ChatUser FromPrincipal(System.Security.Claims.ClaimsPrincipal principal) =>
        new(principal.FindFirst("sub")?.Value ?? principal.FindFirst("id")?.Value ?? "");
}
