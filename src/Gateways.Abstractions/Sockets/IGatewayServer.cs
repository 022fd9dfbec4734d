namespace Gateways;

/// <summary>
/// One namespace seen from the server: emits to every socket of the namespace, or narrows with
/// <see cref="IBroadcastOperator.To(string)"/>. NestJS's <c>@WebSocketServer() server</c>.
/// </summary>
public interface IGatewayServer : IBroadcastOperator
{
    /// <summary>The namespace name, such as <c>/</c>.</summary>
    string Name { get; }

    /// <summary>The number of sockets connected to this namespace on this server.</summary>
    int LocalSocketCount { get; }

    /// <summary>
    /// Sends an event to the other servers of the cluster, not to clients (socket.io's <c>serverSideEmit</c>). Their
    /// <see cref="OnServerSideEmit"/> listeners receive it; with a single server nothing happens.
    /// </summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="args">The arguments; JSON-serializable values.</param>
    void ServerSideEmit(string eventName, params object?[] args);

    /// <summary>
    /// Sends an event to the other servers of the cluster and waits for one answer from each (socket.io's
    /// <c>serverSideEmitWithAck</c>). Completes at once with no answers when this is the only server.
    /// </summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="timeout">How long to wait for every server.</param>
    /// <param name="args">The arguments; JSON-serializable values.</param>
    /// <returns>One answer per other server, each with the single value its listener returned.</returns>
    /// <exception cref="TimeoutException">Some server did not answer in time.</exception>
    Task<IReadOnlyList<EventArguments>> ServerSideEmitWithAckAsync(string eventName, TimeSpan timeout, params object?[] args);

    /// <summary>
    /// Listens to <paramref name="eventName"/> sent by other servers with <see cref="ServerSideEmit"/> (socket.io's
    /// <c>io.on(event, listener)</c>). When the sender waits for an answer, the value the first listener returns is
    /// sent back.
    /// </summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="listener">Receives the arguments; its result is the answer.</param>
    /// <returns>Disposing it stops listening.</returns>
    IDisposable OnServerSideEmit(string eventName, Func<EventArguments, ValueTask<object?>> listener);
}
