using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Gateways.EngineIO;

/// <summary>The error codes of the reference server's HTTP answers, so clients see the same bodies.</summary>
internal enum EngineIOError
{
    UnknownTransport = 0,
    UnknownSid = 1,
    BadHandshakeMethod = 2,
    BadRequest = 3,
    Forbidden = 4,
    UnsupportedProtocolVersion = 5,
}

internal static class EngineIOErrors
{
    private static readonly JsonEncodedText CodeName = JsonEncodedText.Encode("code");
    private static readonly JsonEncodedText MessageName = JsonEncodedText.Encode("message");

    public static string Message(EngineIOError error) => error switch
    {
        EngineIOError.UnknownTransport => "Transport unknown",
        EngineIOError.UnknownSid => "Session ID unknown",
        EngineIOError.BadHandshakeMethod => "Bad handshake method",
        EngineIOError.BadRequest => "Bad request",
        EngineIOError.Forbidden => "Forbidden",
        EngineIOError.UnsupportedProtocolVersion => "Unsupported protocol version",
        _ => "Bad request",
    };

    /// <summary>Answers 400 (403 for <see cref="EngineIOError.Forbidden"/>) with <c>{"code":N,"message":"…"}</c>.</summary>
    public static async Task WriteAsync(HttpContext context, EngineIOError error, string? message = null)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return;
        }
        response.StatusCode = error == EngineIOError.Forbidden ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest;
        response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(response.BodyWriter))
        {
            json.WriteStartObject();
            json.WriteNumber(CodeName, (int)error);
            json.WriteString(MessageName, message ?? Message(error));
            json.WriteEndObject();
        }
        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
