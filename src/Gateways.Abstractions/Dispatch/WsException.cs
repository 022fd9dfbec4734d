namespace Gateways;

/// <summary>
/// An error meant for the client (NestJS's <c>WsException</c>). Thrown from a handler, the sender receives the event
/// <c>exception</c> with <c>{"status":"error","message":…}</c> for a string, or the object as it is; the connection
/// stays up. Any other exception is logged and reaches the client as <c>Internal server error</c>.
/// </summary>
public class WsException : Exception
{
    /// <summary>An error with a message for the client.</summary>
    /// <param name="message">The message the client sees.</param>
    public WsException(string message) : base(message)
    {
    }

    /// <summary>An error whose payload is sent to the client unchanged.</summary>
    /// <param name="error">The payload, serialized with the configured JSON options.</param>
    public WsException(object error) : base(error as string ?? "WebSocket error") => Error = error;

    /// <summary>An error with a message for the client and the exception that caused it (not sent).</summary>
    /// <param name="message">The message the client sees.</param>
    /// <param name="innerException">The cause, for logs.</param>
    public WsException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>The payload sent to the client when it is not a plain message; otherwise <see langword="null"/>.</summary>
    public object? Error { get; }
}
