using Gateways.Adapters;
using Gateways.SocketIO;

namespace Gateways.Recovery;

/// <summary>A namespace's connection state recovery: in this server's memory (<see cref="ConnectionRecoveryStore"/>) or
/// in its adapter's shared storage (<see cref="AdapterRecoveryStore"/>).</summary>
internal interface IRecoveryStore : IDisposable
{
    /// <summary>The offset a socket connecting now starts after.</summary>
    string? CurrentOffset { get; }

    /// <summary>The packet as local targets get it (see <see cref="IGatewayAdapterContext.PrepareLocalDelivery"/>).</summary>
    OutgoingPacket PrepareLocalDelivery(OutgoingPacket packet, BroadcastOptions targets);

    /// <summary>Keeps the session of a socket whose connection was lost.</summary>
    void Persist(RecoverySession session);

    /// <summary>Takes a session back with what its client missed; null when it cannot be recovered.</summary>
    ValueTask<RestoredSession?> TryRestoreAsync(string privateId, string? offset);

    /// <summary>The events stored after <paramref name="offset"/> for <paramref name="rooms"/>, in order: what a
    /// recovered socket may have missed between its replay and joining its rooms again.</summary>
    ValueTask<IReadOnlyList<OutgoingPacket>> ReadAfterAsync(string offset, string[] rooms);
}

/// <summary>A session taken back and the packets its client missed, in order.</summary>
internal sealed record RestoredSession(RecoverySession Session, IReadOnlyList<OutgoingPacket> Missed);
