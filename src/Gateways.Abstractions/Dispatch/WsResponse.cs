namespace Gateways;

/// <summary>A handler result that is emitted to the sender as an event instead of being the acknowledgement
/// (NestJS's <c>WsResponse</c>).</summary>
public interface IWsResponse
{
    /// <summary>The event name the sender receives.</summary>
    string Event { get; }

    /// <summary>The event's single argument.</summary>
    object? Data { get; }
}

/// <summary>A handler result emitted to the sender as <paramref name="Event"/> with <paramref name="Data"/>.</summary>
/// <typeparam name="T">The data type.</typeparam>
/// <param name="Event">The event name the sender receives.</param>
/// <param name="Data">The event's single argument.</param>
public sealed record WsResponse<T>(string Event, T Data) : IWsResponse
{
    object? IWsResponse.Data => Data;
}
