namespace Gateways;

/// <summary>
/// A set of target sockets, narrowed with <see cref="To(string)"/> and <see cref="Except(string)"/>, and the
/// operations on them (socket.io's <c>BroadcastOperator</c>). Each call returns a new operator; instances are immutable.
/// </summary>
/// <remarks>A broadcast is encoded once and the same bytes are written to every target.</remarks>
public interface IBroadcastOperator : IGatewayEmitter
{
    /// <summary>Narrows the targets to the sockets in <paramref name="room"/> (several calls: any of the rooms).</summary>
    /// <param name="room">The room name; a socket id or a user room work the same way.</param>
    IBroadcastOperator To(string room);

    /// <summary>Narrows the targets to the sockets in any of <paramref name="rooms"/>.</summary>
    /// <param name="rooms">The room names.</param>
    IBroadcastOperator To(IEnumerable<string> rooms);

    /// <summary>Excludes the sockets in <paramref name="room"/>.</summary>
    /// <param name="room">The room name.</param>
    IBroadcastOperator Except(string room);

    /// <summary>The same targets, sent only where the transport can take the packet now: never queued behind a
    /// busy transport, never stored for connection state recovery (socket.io's <c>volatile</c>). For data whose next
    /// value makes the last one worthless, such as positions or prices.</summary>
    IBroadcastOperator Volatile { get; }

    /// <summary>The same targets on this server only: with a Redis adapter, other servers are not told
    /// (socket.io's <c>local</c>).</summary>
    IBroadcastOperator Local { get; }


    /// <summary>Sends an event to every target and collects their acknowledgements.</summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="timeout">How long to wait for all acknowledgements.</param>
    /// <param name="args">The event arguments.</param>
    /// <returns>One entry per target that acknowledged.</returns>
    /// <exception cref="TimeoutException">Some target did not acknowledge in time.</exception>
    Task<IReadOnlyList<EventArguments>> EmitWithAckAsync(string eventName, TimeSpan timeout, params object?[] args);

    /// <summary>Makes every target join <paramref name="room"/>.</summary>
    /// <param name="room">The room name.</param>
    void SocketsJoin(string room);

    /// <summary>Makes every target leave <paramref name="room"/>.</summary>
    /// <param name="room">The room name.</param>
    void SocketsLeave(string room);

    /// <summary>Disconnects every target.</summary>
    /// <param name="close">Also close the underlying connections.</param>
    void DisconnectSockets(bool close = false);

    /// <summary>Lists the targets.</summary>
    Task<IReadOnlyList<IGatewaySocket>> FetchSocketsAsync();
}
