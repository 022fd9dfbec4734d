using Gateways.EngineIO;

namespace Gateways.SocketIO;

/// <summary>What one Engine.IO message made of the packet stream.</summary>
internal enum AssemblyResult
{
    /// <summary>A whole packet (with its attachments, if binary) is ready.</summary>
    Complete,

    /// <summary>A binary packet is waiting for more attachments.</summary>
    Pending,

    /// <summary>The stream is invalid: the connection must be closed.</summary>
    Invalid,
}

/// <summary>
/// Turns one connection's Engine.IO messages into whole Socket.IO packets: each text message is parsed, and a binary
/// packet is reassembled from the binary messages that follow it (Socket.IO protocol, "Packet encoding", binary
/// events and acks), within the connection's limits: the announced attachment count, and the whole packet's bytes
/// against Engine.IO's <c>maxPayload</c>. Knows nothing of namespaces or handlers; not thread-safe (one reader).
/// </summary>
internal sealed class SocketIOPacketAssembler(NamespaceNameTable namespaces, int maxAttachments, long maxPacketBytes)
{
    private SocketIOPacket? _pending;
    private List<ReadOnlyMemory<byte>>? _attachments;
    private long _bytes;

    /// <summary>Whether a binary packet is waiting for attachments (it should get a deadline).</summary>
    public bool IsWaiting => _pending is not null;

    /// <summary>How many attachments the waiting packet announced.</summary>
    public int ExpectedAttachments => _pending?.AttachmentCount ?? 0;

    /// <summary>How many attachments have arrived for the waiting packet.</summary>
    public int ReceivedAttachments => _attachments?.Count ?? 0;

    /// <summary>Takes the next message of the connection.</summary>
    /// <param name="message">The Engine.IO message.</param>
    /// <param name="packet">The whole packet, when <see cref="AssemblyResult.Complete"/>.</param>
    /// <param name="attachments">Its attachments, in order (empty for a text packet).</param>
    /// <param name="error">Why the stream is invalid, when <see cref="AssemblyResult.Invalid"/>.</param>
    public AssemblyResult Accept(EngineIOMessage message, out SocketIOPacket packet, out IReadOnlyList<ReadOnlyMemory<byte>> attachments,
        out string? error)
    {
        packet = default;
        attachments = [];
        error = null;
        if (message.IsBinary)
        {
            return AcceptAttachment(message.Data, ref packet, ref attachments, ref error);
        }
        if (_pending is not null)
        {
            error = "a text packet arrived while binary attachments were expected";
            return AssemblyResult.Invalid;
        }
        if (!SocketIOPacketParser.TryParse(message.Data, namespaces, out packet, out error))
        {
            return AssemblyResult.Invalid;
        }
        if (packet.AttachmentCount == 0)
        {
            return AssemblyResult.Complete;
        }
        if (packet.AttachmentCount > maxAttachments)
        {
            error = $"{packet.AttachmentCount} attachments announced, more than the limit of {maxAttachments}";
            return AssemblyResult.Invalid;
        }
        _pending = packet;
        _attachments = new List<ReadOnlyMemory<byte>>(packet.AttachmentCount);
        _bytes = message.Data.Length;
        return AssemblyResult.Pending;
    }

    private AssemblyResult AcceptAttachment(ReadOnlyMemory<byte> data, ref SocketIOPacket packet,
        ref IReadOnlyList<ReadOnlyMemory<byte>> attachments, ref string? error)
    {
        if (_pending is not { } pending)
        {
            error = "a binary frame arrived without a binary packet announcing it";
            return AssemblyResult.Invalid;
        }
        // The packet counts as a whole against maxPayload: ten attachments of 0.9 MB are one 9 MB message.
        _bytes += data.Length;
        if (_bytes > maxPacketBytes)
        {
            error = $"a binary packet of more than {maxPacketBytes} bytes (maxPayload)";
            return AssemblyResult.Invalid;
        }
        _attachments!.Add(data);
        if (_attachments.Count < pending.AttachmentCount)
        {
            return AssemblyResult.Pending;
        }
        packet = pending;
        attachments = _attachments;
        _pending = null;
        _attachments = null;
        return AssemblyResult.Complete;
    }
}
