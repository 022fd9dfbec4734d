using System.Text.Json;

namespace Gateways;

/// <summary>
/// Thrown by a connection middleware to refuse a namespace connection. The client receives a CONNECT_ERROR packet
/// <c>{"message": Message, "data": Data}</c> and its <c>connect_error</c> listener sees an <c>Error</c> with that message.
/// </summary>
public sealed class ConnectionRefusedException : Exception
{
    /// <summary>Refuses the connection with a message.</summary>
    /// <param name="message">The message the client sees, such as <c>Unauthorized</c>.</param>
    public ConnectionRefusedException(string message) : base(message)
    {
    }

    /// <summary>Refuses the connection with a message and extra data (socket.io's <c>err.data</c>).</summary>
    /// <param name="message">The message the client sees.</param>
    /// <param name="data">Extra JSON the client reads as <c>err.data</c>.</param>
    public ConnectionRefusedException(string message, JsonElement data) : base(message)
    {
        ErrorData = data;
    }

    /// <summary>Extra JSON the client reads as <c>err.data</c>, if any.</summary>
    public JsonElement? ErrorData { get; }
}
