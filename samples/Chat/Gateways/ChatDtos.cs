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
