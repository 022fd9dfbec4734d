namespace Gateways.SocketIO;

/// <summary>
/// The header of a decoded Socket.IO packet and its raw JSON payload:
/// <c>&lt;type&gt;[&lt;attachments&gt;-][&lt;namespace&gt;,][&lt;ack id&gt;][&lt;JSON payload&gt;]</c>.
/// </summary>
/// <param name="Type">The packet type.</param>
/// <param name="Namespace">The namespace, <c>/</c> when the packet names none.</param>
/// <param name="AckId">The acknowledgement id, or -1 when the packet carries none.</param>
/// <param name="AttachmentCount">How many binary attachments follow (binary packet types only).</param>
/// <param name="Payload">The UTF-8 JSON payload; empty when there is none.</param>
/// <param name="Layout">For EVENT and ACK packets, what the parser's pass over the payload found.</param>
internal readonly record struct SocketIOPacket(SocketIOPacketType Type, string Namespace, long AckId, int AttachmentCount,
    ReadOnlyMemory<byte> Payload, PayloadLayout Layout)
{
    /// <summary>Whether the packet carries an acknowledgement id.</summary>
    public bool HasAckId => AckId >= 0;
}
