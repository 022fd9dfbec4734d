using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Validation;

namespace Chat.Gateways;

[ValidatableType]
public sealed class MessageDto
{
    [Required, StringLength(2000, MinimumLength = 1)]
    public string? Text { get; set; }
}

[ValidatableType]
public sealed class RoomDto
{
    [Required, StringLength(64, MinimumLength = 1)]
    public string? RoomId { get; set; }
}

[ValidatableType]
public sealed class SendMessageDto
{
    [Required, StringLength(64, MinimumLength = 1)]
    public string? RoomId { get; set; }

    [Required, StringLength(2000, MinimumLength = 1)]
    public string? Text { get; set; }
}

public sealed record Ok(string Status = "ok");

// The HTTP API's bodies (Program.cs), checked with the same generated metadata.
[ValidatableType]
public sealed class NotificationRequest
{
    [Required, StringLength(200)]
    public string? Title { get; set; }

    [Required, StringLength(2000)]
    public string? Body { get; set; }
}

[ValidatableType]
public sealed class PriceUpdate
{
    [Required, StringLength(16, MinimumLength = 1)]
    public string? Symbol { get; set; }

    public decimal Price { get; set; }
}

/// <summary>Every type the gateways bind, return or emit: System.Text.Json without reflection (Native AOT) knows
/// only these.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(MessageDto))]
[System.Text.Json.Serialization.JsonSerializable(typeof(RoomDto))]
[System.Text.Json.Serialization.JsonSerializable(typeof(SendMessageDto))]
[System.Text.Json.Serialization.JsonSerializable(typeof(Ok))]
[System.Text.Json.Serialization.JsonSerializable(typeof(Chat.Services.ChatMessage))]
[System.Text.Json.Serialization.JsonSerializable(typeof(RoomJoined))]
[System.Text.Json.Serialization.JsonSerializable(typeof(ChatNotification))]
[System.Text.Json.Serialization.JsonSerializable(typeof(PriceTick))]
internal sealed partial class ChatGatewayJson : System.Text.Json.Serialization.JsonSerializerContext;
