using System.Text.Json.Serialization;
using Chat.Services;
using Gateways;

namespace Chat.Gateways;

/// <summary>The events the chat's clients get. The generator implements this (send with
/// <c>Server.Typed&lt;IChatClient&gt;()</c>) and lists it in the page's ServerToClientEvents (contracts/).</summary>
[GatewayClientEvents]
public interface IChatClient
{
    /// <summary>A message to everyone, the sender included.</summary>
    void Message(MessageDto message);

    /// <summary>The sender is now in the room.</summary>
    void JoinedRoom(RoomJoined joined);

    /// <summary>A message saved in a room the socket is in.</summary>
    void NewMessage(ChatMessage message);

    /// <summary>Someone joined a room the socket is in (text, roomId, userId), or a personal notification (title, body).</summary>
    void Notification(ChatNotification notification);

    /// <summary>A live price, to everyone.</summary>
    void PriceUpdate(PriceTick price);
}

/// <summary>The room the sender joined.</summary>
public sealed record RoomJoined(string RoomId);

/// <summary>A notification: a room's (text, roomId, userId) or a user's own (title, body). Unset fields are left out.</summary>
public sealed record ChatNotification(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Text = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RoomId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UserId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Title = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Body = null);

/// <summary>A symbol's new price.</summary>
public sealed record PriceTick(string Symbol, decimal Price);
