using System.Collections.Concurrent;
using System.Security.Claims;
using Gateways.Adapters;
using Gateways.SocketIO;
using Microsoft.Extensions.Logging;

namespace Gateways.Namespaces;

/// <summary>The server side of one client's connection to one namespace.</summary>
public sealed class GatewaySocket : IGatewaySocket
{
    private readonly SocketIOConnection _connection;
    private readonly GatewayNamespace _namespace;
    private readonly CancellationTokenSource _disconnected = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<EventArguments>> _pendingAcks = new();
    private int _state; // 0 connecting, 1 connected, 2 disconnected

    internal GatewaySocket(string id, SocketIOConnection connection, GatewayNamespace @namespace, Handshake handshake,
        ClaimsPrincipal? user)
    {
        Id = id;
        _connection = connection;
        _namespace = @namespace;
        Handshake = handshake;
        User = user;
    }

    /// <inheritdoc/>
    public string Id { get; }

    /// <inheritdoc/>
    public string Namespace => _namespace.Name;

    /// <inheritdoc/>
    public Handshake Handshake { get; }

    /// <inheritdoc/>
    public ClaimsPrincipal? User { get; set; }

    /// <inheritdoc/>
    public string? UserId { get; set; }

    /// <inheritdoc/>
    public IReadOnlyCollection<string> Rooms => _namespace.Adapter.SocketRooms(Id);

    /// <inheritdoc/>
    public bool Connected => Volatile.Read(ref _state) == 1;

    /// <inheritdoc/>
    public CancellationToken Disconnected => _disconnected.Token;

    /// <inheritdoc/>
    public IDictionary<string, object?> Items { get; } = new ConcurrentDictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>The id of the Engine.IO session (the connection) this socket rides on.</summary>
    public string ConnectionId => _connection.Session.Id;

    internal GatewayNamespace GatewayNamespace => _namespace;

    internal Security.EventRateLimiter.SocketBucket? RateBucket { get; set; }

    /// <inheritdoc/>
    public void Join(string room) => _namespace.Adapter.AddAll(Id, [room]);

    /// <inheritdoc/>
    public void Join(IEnumerable<string> rooms) => _namespace.Adapter.AddAll(Id, rooms);

    /// <inheritdoc/>
    public void Leave(string room) => _namespace.Adapter.Delete(Id, room);

    /// <inheritdoc/>
    public void Emit(string eventName, params object?[] args) =>
        Send(SocketIOPacketWriter.WriteEvent(_namespace.Name, eventName, args, -1, _namespace.SerializerOptions));

    /// <inheritdoc/>
    public Task<EventArguments> EmitWithAckAsync(string eventName, TimeSpan timeout, params object?[] args)
    {
        var ackId = _namespace.NextAckId();
        var packet = SocketIOPacketWriter.WriteEvent(_namespace.Name, eventName, args, ackId, _namespace.SerializerOptions);
        return SendWithAckAsync(packet, ackId, eventName, timeout);
    }

    /// <inheritdoc/>
    public IBroadcastOperator To(string room) =>
        new BroadcastOperator(_namespace, new BroadcastOptions(new HashSet<string> { room }, new HashSet<string> { Id }));

    /// <inheritdoc/>
    public IBroadcastOperator Broadcast =>
        new BroadcastOperator(_namespace, BroadcastOptions.All with { Except = new HashSet<string> { Id } });

    /// <inheritdoc/>
    public void Disconnect(bool close = false)
    {
        if (!Connected)
        {
            return;
        }
        if (close)
        {
            _connection.DisconnectAll();
            return;
        }
        _connection.Session.TrySend(SocketIOPacketWriter.WriteDisconnect(_namespace.Name), null);
        OnDisconnect("server namespace disconnect");
    }

    /// <summary>Queues an encoded packet for this socket's client.</summary>
    /// <param name="packet">The packet; its bytes may be shared with other sockets.</param>
    /// <returns><see langword="false"/> when the socket is gone or its send queue overflowed.</returns>
    public bool Send(EncodedPacket packet) => Connected && _connection.Session.TrySend(packet.Text, packet.Attachments);

    internal async Task<EventArguments> SendWithAckAsync(EncodedPacket packet, long ackId, string eventName, TimeSpan timeout)
    {
        var answer = new TaskCompletionSource<EventArguments>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingAcks[ackId] = answer;
        // Registered before the check: either this sees the disconnect or the disconnect sees the registration.
        if (!Connected)
        {
            _pendingAcks.TryRemove(ackId, out _);
            throw new OperationCanceledException($"Socket '{Id}' is disconnected.", Disconnected);
        }
        Send(packet);
        try
        {
            return await answer.Task.WaitAsync(timeout, _namespace.TimeProvider);
        }
        catch (TimeoutException)
        {
            _pendingAcks.TryRemove(ackId, out _);
            throw new TimeoutException(
                $"Socket '{Id}' did not acknowledge event '{eventName}' within {timeout.TotalMilliseconds} ms.");
        }
    }

    internal void OnAck(long ackId, EventArguments arguments)
    {
        if (_pendingAcks.TryRemove(ackId, out var answer))
        {
            answer.TrySetResult(arguments);
        }
        else
        {
            SocketIOLog.UnknownAck(_connection.Logger, Id, ackId);
        }
    }

    internal void MarkConnected() => Volatile.Write(ref _state, 1);

    /// <summary>Leaves the namespace: rooms, pending acknowledgements and the disconnect handlers; once.</summary>
    internal void OnDisconnect(string reason)
    {
        if (Interlocked.Exchange(ref _state, 2) != 1)
        {
            return;
        }
        _namespace.Adapter.DeleteAll(Id);
        _namespace.Remove(this);
        _connection.Remove(this);
        foreach (var pending in _pendingAcks)
        {
            if (_pendingAcks.TryRemove(pending.Key, out var answer))
            {
                answer.TrySetCanceled(Disconnected);
            }
        }
        _disconnected.Cancel();
        RateBucket?.Dispose();
        SocketIOLog.SocketDisconnected(_connection.Logger, Id, _namespace.Name, reason);
        foreach (var handler in _namespace.DisconnectHandlers)
        {
            _ = RunDisconnectHandlerAsync(handler, reason);
        }
    }

    private async Task RunDisconnectHandlerAsync(Func<IGatewaySocket, string, ValueTask> handler, string reason)
    {
        try
        {
            await handler(this, reason);
        }
        catch (Exception ex)
        {
            SocketIOLog.DisconnectHandlerFailed(_connection.Logger, Id, _namespace.Name, ex);
        }
    }
}
