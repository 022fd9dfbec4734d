using Gateways.Adapters;
using Gateways.SocketIO;
using Microsoft.Extensions.Logging;

namespace Gateways.Recovery;

/// <summary>
/// Connection state recovery kept by the namespace's adapter in shared storage (<see cref="IGatewaySessionStore"/>):
/// the adapter stamps offsets, so local delivery passes packets through untouched; sessions go to the adapter, which
/// must not fail the disconnect that persists them, and come back from it with the user's id alone.
/// </summary>
internal sealed class AdapterRecoveryStore(string @namespace, IGatewaySessionStore store, ILogger logger) : IRecoveryStore
{
    // How long stopping waits for the sessions of the sockets it closed to be written.
    private static readonly TimeSpan PersistOnStop = TimeSpan.FromSeconds(5);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Task, bool> _persisting = new();

    public string? CurrentOffset => store.CurrentOffset;

    public OutgoingPacket PrepareLocalDelivery(OutgoingPacket packet, BroadcastOptions targets) => packet;

    public void Persist(RecoverySession session)
    {
        var persisting = PersistAsync(session);
        if (!persisting.IsCompleted)
        {
            _persisting[persisting] = true;
            persisting.ContinueWith(done => _persisting.TryRemove(done, out _), TaskScheduler.Default);
        }
    }

    private async Task PersistAsync(RecoverySession session)
    {
        try
        {
            await store.PersistSessionAsync(new GatewaySessionRecord(session.PrivateId, session.SocketId, session.Rooms, session.Items,
                session.UserId, session.TokenExpiresAt, session.ConnectedAtOffset, session.DisconnectedAt));
        }
        catch (Exception ex)
        {
            // The socket is gone either way; its client starts afresh when it comes back.
            Namespaces.SocketIOLog.RecoveryPersistFailed(logger, @namespace, session.SocketId, ex);
        }
    }

    public async ValueTask<RestoredSession?> TryRestoreAsync(string privateId, string? offset)
    {
        GatewayRestoredSession? restored;
        try
        {
            restored = await store.RestoreSessionAsync(privateId, offset);
        }
        catch (Exception ex)
        {
            Namespaces.SocketIOLog.RecoveryRestoreFailed(logger, @namespace, ex);
            restored = null;
        }
        Internal.GatewaysMetrics.RecoveryAttempt(@namespace, restored is null ? "unknown_session" : "recovered");
        if (restored is null)
        {
            return null;
        }
        var record = restored.Session;
        return new RestoredSession(new RecoverySession(record.PrivateId, record.SocketId, [.. record.Rooms], [.. record.Items], null,
            record.UserId, record.TokenExpiresAt, record.ConnectedAtOffset, record.DisconnectedAt), restored.Missed);
    }

    public async ValueTask<IReadOnlyList<OutgoingPacket>> ReadAfterAsync(string offset, string[] rooms)
    {
        try
        {
            return await store.ReadEventsAfterAsync(offset, rooms);
        }
        catch (Exception ex)
        {
            Namespaces.SocketIOLog.RecoveryRestoreFailed(logger, @namespace, ex);
            return [];
        }
    }

    /// <summary>The server stops: the sessions of the sockets its shutdown closed are written before it goes, so their
    /// clients recover on another server.</summary>
    public void Dispose() => Task.WaitAll([.. _persisting.Keys], PersistOnStop);
}
