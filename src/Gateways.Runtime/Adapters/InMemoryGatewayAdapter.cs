using System.Buffers;
using Gateways.SocketIO;

namespace Gateways.Adapters;

/// <summary>
/// The single-server adapter: rooms live in this process and a broadcast writes the same encoded bytes to every
/// local target. Designed for extension: a cluster adapter forwards to other servers and calls the base for the
/// local part.
/// </summary>
public class InMemoryGatewayAdapter : IGatewayAdapter
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<string>> _rooms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _socketRooms = new(StringComparer.Ordinal);

    /// <summary>Creates the adapter of one namespace.</summary>
    /// <param name="context">The namespace whose local sockets receive the broadcasts.</param>
    public InMemoryGatewayAdapter(IGatewayAdapterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Context = context;
    }

    /// <summary>The namespace this adapter serves, as the runtime shows it to adapters.</summary>
    protected IGatewayAdapterContext Context { get; }

    /// <summary>Told (room, socket id, joined) when a local socket joins or leaves a room; set by the runtime only
    /// while something watches the server (the Admin UI). Runs under the adapter's lock: it must only enqueue.</summary>
    internal Action<string, string, bool>? MembershipChanged { get; set; }

    /// <inheritdoc/>
    public virtual void AddAll(string socketId, IEnumerable<string> rooms)
    {
        lock (_lock)
        {
            if (!_socketRooms.TryGetValue(socketId, out var joined))
            {
                _socketRooms[socketId] = joined = new HashSet<string>(StringComparer.Ordinal);
            }
            foreach (var room in rooms)
            {
                if (!joined.Add(room))
                {
                    continue;
                }
                if (!_rooms.TryGetValue(room, out var members))
                {
                    _rooms[room] = members = new HashSet<string>(StringComparer.Ordinal);
                    OnRoomCreated(room, isSocketRoom: _socketRooms.ContainsKey(room));
                }
                members.Add(socketId);
                MembershipChanged?.Invoke(room, socketId, true);
            }
        }
    }

    /// <inheritdoc/>
    public virtual void Delete(string socketId, string room)
    {
        lock (_lock)
        {
            if (_socketRooms.TryGetValue(socketId, out var joined))
            {
                joined.Remove(room);
            }
            RemoveMember(room, socketId);
        }
    }

    /// <inheritdoc/>
    public virtual void DeleteAll(string socketId)
    {
        lock (_lock)
        {
            if (!_socketRooms.Remove(socketId, out var joined))
            {
                return;
            }
            foreach (var room in joined)
            {
                RemoveMember(room, socketId);
            }
        }
    }

    private void RemoveMember(string room, string socketId)
    {
        if (!_rooms.TryGetValue(room, out var members) || !members.Remove(socketId))
        {
            return;
        }
        MembershipChanged?.Invoke(room, socketId, false);
        if (members.Count == 0)
        {
            _rooms.Remove(room);
            OnRoomDeleted(room, isSocketRoom: _socketRooms.ContainsKey(room) || room == socketId);
        }
    }

    /// <summary>The local sockets in <paramref name="room"/>; empty, without allocating, when there are none.</summary>
    internal IReadOnlyList<string> LocalMembers(string room)
    {
        lock (_lock)
        {
            return _rooms.TryGetValue(room, out var members) ? [.. members] : [];
        }
    }

    /// <summary>The rooms that have local sockets, each with whether it is a socket's own room.</summary>
    protected IReadOnlyList<(string Room, bool IsSocketRoom)> LocalRooms()
    {
        lock (_lock)
        {
            return [.. _rooms.Keys.Select(room => (room, _socketRooms.ContainsKey(room)))];
        }
    }

    /// <summary>A room got its first local socket. Runs under the adapter's lock: do not block.</summary>
    /// <param name="room">The room.</param>
    /// <param name="isSocketRoom">Whether the room is a socket's own room (named by its id).</param>
    protected virtual void OnRoomCreated(string room, bool isSocketRoom)
    {
    }

    /// <summary>A room lost its last local socket. Runs under the adapter's lock: do not block.</summary>
    /// <param name="room">The room.</param>
    /// <param name="isSocketRoom">Whether the room is a socket's own room (named by its id).</param>
    protected virtual void OnRoomDeleted(string room, bool isSocketRoom)
    {
    }

    /// <summary>Whether any local socket is in <paramref name="room"/>; no allocation.</summary>
    /// <param name="room">The room.</param>
    protected bool HasLocalRoom(string room)
    {
        lock (_lock)
        {
            return _rooms.ContainsKey(room);
        }
    }

    /// <inheritdoc/>
    public virtual IReadOnlyCollection<string> SocketRooms(string socketId)
    {
        lock (_lock)
        {
            return _socketRooms.TryGetValue(socketId, out var joined) ? [.. joined] : [];
        }
    }

    /// <inheritdoc/>
    public virtual Task<IReadOnlyCollection<string>> AllRoomsAsync()
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyCollection<string>>([.. _rooms.Keys]);
        }
    }

    /// <inheritdoc/>
    public virtual void Broadcast(OutgoingPacket packet, BroadcastOptions options)
    {
        // A volatile broadcast is never stored, so it carries no offset.
        if (Context.ConnectionStateRecovery is null || options.IsVolatile)
        {
            DeliverToTargets(packet, options);
            return;
        }
        Context.DeliverInOffsetOrder(packet, options, stamped => DeliverToTargets(stamped, options));
    }

    private void DeliverToTargets(OutgoingPacket packet, BroadcastOptions options)
    {
        var targets = RentTargets(options, out var count);
        Internal.GatewaysMetrics.Broadcast(count);
        try
        {
            // Nobody here: nothing to encode (a subclass that publishes has encoded it already).
            if (count == 0 || !IsDeliverable(packet))
            {
                return;
            }
            // The first Send encodes; every other target gets the same bytes.
            if (options.IsVolatile)
            {
                for (var i = 0; i < count; i++)
                {
                    targets[i].SendVolatile(packet);
                }
                return;
            }
            for (var i = 0; i < count; i++)
            {
                targets[i].Send(packet);
            }
        }
        finally
        {
            ReturnTargets(targets, count);
        }
    }

    /// <summary>Refuses, at the sender, a packet of this server no client could receive; drops, with a log, one
    /// that arrived that large from another server rather than cutting off every local recipient.</summary>
    /// <param name="packet">The packet; encoded by this call.</param>
    /// <exception cref="OutgoingMessageTooLargeException">A packet of this server is too large.</exception>
    protected bool IsDeliverable(OutgoingPacket packet)
    {
        var size = packet.EncodedSize;
        if (size <= Context.MaxPacketBytes)
        {
            return true;
        }
        Internal.GatewaysMetrics.DroppedTooLarge();
        if (!packet.IsRelayed)
        {
            throw new OutgoingMessageTooLargeException(packet.EventName!, size, Context.MaxPacketBytes);
        }
        AdapterLog.DroppedTooLarge(Context.Logger, Context.Namespace, size, Context.MaxPacketBytes);
        return false;
    }

    /// <inheritdoc/>
    public virtual async Task<IReadOnlyList<EventArguments>> BroadcastWithAckAsync(string eventName, object?[] args,
        BroadcastOptions options, TimeSpan timeout)
    {
        timeout = Internal.TimerLimits.Clamp(timeout);
        var packet = OutgoingPacket.Event(Context.Namespace, eventName, args, Context.SerializerOptions, Context.NextAckId());
        IsDeliverable(packet); // throws when no client could take it
        var targets = RentTargets(options, out var count);
        Task<EventArguments>[] answers;
        try
        {
            answers = new Task<EventArguments>[count];
            for (var i = 0; i < count; i++)
            {
                answers[i] = targets[i].SendWithAckAsync(packet, timeout);
            }
        }
        finally
        {
            ReturnTargets(targets, count);
        }
        return await Task.WhenAll(answers);
    }

    /// <inheritdoc/>
    public virtual Task<IReadOnlyList<IGatewaySocket>> FetchSocketsAsync(BroadcastOptions options)
    {
        var targets = RentTargets(options, out var count);
        try
        {
            return Task.FromResult<IReadOnlyList<IGatewaySocket>>(targets.AsSpan(0, count).ToArray());
        }
        finally
        {
            ReturnTargets(targets, count);
        }
    }

    /// <inheritdoc/>
    public virtual void AddSockets(BroadcastOptions options, IReadOnlyCollection<string> rooms) =>
        ForEachTarget(options, socket => socket.JoinPermitted(rooms));

    /// <inheritdoc/>
    public virtual void DelSockets(BroadcastOptions options, IReadOnlyCollection<string> rooms) =>
        ForEachTarget(options, socket =>
        {
            foreach (var room in rooms)
            {
                socket.Leave(room);
            }
        });

    /// <inheritdoc/>
    public virtual void DisconnectSockets(BroadcastOptions options, bool close) =>
        ForEachTarget(options, socket => socket.Disconnect(close));

    /// <inheritdoc/>
    /// <remarks>A single server has no other servers: nothing is sent.</remarks>
    public virtual void ServerSideEmit(string eventName, object?[] args)
    {
    }

    /// <inheritdoc/>
    /// <remarks>A single server has no other servers: no answers, at once.</remarks>
    public virtual Task<IReadOnlyList<EventArguments>> ServerSideEmitWithAckAsync(string eventName, object?[] args, TimeSpan timeout) =>
        Task.FromResult<IReadOnlyList<EventArguments>>([]);

    private void ForEachTarget(BroadcastOptions options, Action<IGatewayLocalSocket> action)
    {
        var targets = RentTargets(options, out var count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                action(targets[i]);
            }
        }
        finally
        {
            ReturnTargets(targets, count);
        }
    }

    /// <summary>Collects the local targets into a pooled array. Sending happens after the lock is released, because
    /// a send can close a slow client, whose disconnect changes the rooms.</summary>
    private IGatewayLocalSocket[] RentTargets(BroadcastOptions options, out int count)
    {
        count = 0;
        IGatewayLocalSocket[] targets;
        lock (_lock)
        {
            HashSet<string>? excluded = null;
            foreach (var room in options.Except)
            {
                if (_rooms.TryGetValue(room, out var members))
                {
                    excluded ??= new HashSet<string>(StringComparer.Ordinal);
                    excluded.UnionWith(members);
                }
            }
            if (options.Rooms.Count == 0)
            {
                targets = ArrayPool<IGatewayLocalSocket>.Shared.Rent(Math.Max(1, Context.LocalSocketCount));
                foreach (var socket in Context.LocalSockets)
                {
                    if (excluded?.Contains(socket.Id) != true && socket.Connected)
                    {
                        Add(ref targets, ref count, socket);
                    }
                }
                return targets;
            }
            targets = ArrayPool<IGatewayLocalSocket>.Shared.Rent(16);
            // A socket in several of the target rooms gets the packet once.
            HashSet<string>? seen = options.Rooms.Count > 1 ? new HashSet<string>(StringComparer.Ordinal) : null;
            foreach (var room in options.Rooms)
            {
                if (!_rooms.TryGetValue(room, out var members))
                {
                    continue;
                }
                foreach (var id in members)
                {
                    if (excluded?.Contains(id) == true || seen?.Add(id) == false)
                    {
                        continue;
                    }
                    if (Context.TryGetLocalSocket(id, out var socket))
                    {
                        Add(ref targets, ref count, socket);
                    }
                }
            }
        }
        return targets;
    }

    private static void Add(ref IGatewayLocalSocket[] targets, ref int count, IGatewayLocalSocket socket)
    {
        if (count == targets.Length)
        {
            var larger = ArrayPool<IGatewayLocalSocket>.Shared.Rent(targets.Length * 2);
            targets.AsSpan(0, count).CopyTo(larger);
            ArrayPool<IGatewayLocalSocket>.Shared.Return(targets, clearArray: true);
            targets = larger;
        }
        targets[count++] = socket;
    }

    private static void ReturnTargets(IGatewayLocalSocket[] targets, int count)
    {
        targets.AsSpan(0, count).Clear();
        ArrayPool<IGatewayLocalSocket>.Shared.Return(targets);
    }
}

/// <summary>Creates an <see cref="InMemoryGatewayAdapter"/> per namespace.</summary>
public sealed class InMemoryGatewayAdapterFactory : IGatewayAdapterFactory
{
    /// <inheritdoc/>
    public IGatewayAdapter Create(IGatewayAdapterContext context) => new InMemoryGatewayAdapter(context);
}
