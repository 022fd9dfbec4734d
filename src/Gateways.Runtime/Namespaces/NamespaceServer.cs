namespace Gateways.Namespaces;

/// <summary>
/// A namespace seen as an <see cref="IGatewayServer"/>: every targeting and broadcast operation starts from
/// <see cref="All"/>, its whole audience — one namespace's sockets, or every child of a dynamic namespace.
/// </summary>
internal abstract class NamespaceServer : IGatewayServer
{
    /// <summary>The operator over the whole audience, with no rooms, exceptions or flags yet.</summary>
    protected abstract IBroadcastOperator All { get; }

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public abstract int LocalSocketCount { get; }

    /// <inheritdoc/>
    public IBroadcastOperator To(string room) => All.To(room);

    /// <inheritdoc/>
    public IBroadcastOperator To(IEnumerable<string> rooms) => All.To(rooms);

    /// <inheritdoc/>
    public IBroadcastOperator Except(string room) => All.Except(room);

    /// <inheritdoc/>
    public IBroadcastOperator Volatile => All.Volatile;

    /// <inheritdoc/>
    public IBroadcastOperator Local => All.Local;

    /// <inheritdoc/>
    public void Emit(string eventName, params object?[] args) => All.Emit(eventName, args);

    /// <inheritdoc/>
    public Task<IReadOnlyList<EventArguments>> EmitWithAckAsync(string eventName, TimeSpan timeout, params object?[] args) =>
        All.EmitWithAckAsync(eventName, timeout, args);

    /// <inheritdoc/>
    public void SocketsJoin(string room) => All.SocketsJoin(room);

    /// <inheritdoc/>
    public void SocketsLeave(string room) => All.SocketsLeave(room);

    /// <inheritdoc/>
    public void DisconnectSockets(bool close = false) => All.DisconnectSockets(close);

    /// <inheritdoc/>
    public Task<IReadOnlyList<IGatewaySocket>> FetchSocketsAsync() => All.FetchSocketsAsync();

    /// <inheritdoc/>
    public abstract void ServerSideEmit(string eventName, params object?[] args);

    /// <inheritdoc/>
    public abstract Task<IReadOnlyList<EventArguments>> ServerSideEmitWithAckAsync(string eventName, TimeSpan timeout, params object?[] args);

    /// <inheritdoc/>
    public abstract IDisposable OnServerSideEmit(string eventName, Func<EventArguments, ValueTask<object?>> listener);
}
