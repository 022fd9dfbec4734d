namespace Gateways.Tests.Hardening;

public sealed class UploadMeta
{
    public string? Label { get; set; }

    public List<byte[]>? Parts { get; set; }
}

/// <summary>What socket.io-client sends for <c>emit("upload", { name, data: buffer, meta: { parts: [...] } })</c>.</summary>
public sealed class UploadDto
{
    public string? Name { get; set; }

    public byte[]? Data { get; set; }

    public ReadOnlyMemory<byte> Thumbnail { get; set; }

    public UploadMeta? Meta { get; set; }
}

/// <summary>The handlers the hardening tests drive: joining rooms, uploads with nested binary, and a plain echo.</summary>
[WebSocketGateway("/hardening")]
public sealed class HardeningGateway
{
    [SubscribeMessage("join")]
    public string Join([MessageBody] string room, [ConnectedSocket] IGatewaySocket socket)
    {
        socket.Join(room);
        return "joined";
    }

    [SubscribeMessage("canJoin")]
    public bool CanJoin([MessageBody] string room, [ConnectedSocket] IGatewaySocket socket) => socket.CanJoin(room);

    [SubscribeMessage("upload")]
    public object Upload([MessageBody] UploadDto upload) => new
    {
        name = upload.Name,
        data = upload.Data is { } data ? Convert.ToHexString(data) : null,
        thumbnail = Convert.ToHexString(upload.Thumbnail.Span),
        label = upload.Meta?.Label,
        parts = upload.Meta?.Parts?.Select(Convert.ToHexString).ToArray(),
    };

    [SubscribeMessage("optionalUpload")]
    public string OptionalUpload([MessageBody] UploadDto? upload) => upload is null ? "none" : $"got {upload.Name}";

    [SubscribeMessage("rename")]
    public string Rename([MessageBody("name")] string name) => $"renamed to {name}";

    [SubscribeMessage("echo")]
    public object? Echo([MessageBody] System.Text.Json.JsonElement body) => body;
}
