namespace Gateways.EngineIO;

/// <summary>Engine.IO v4 packet types, written on the wire as one ASCII digit (Engine.IO protocol, "Protocol").</summary>
public enum EngineIOPacketType : byte
{
    /// <summary><c>0</c>: the handshake answer, with the session parameters as JSON.</summary>
    Open = (byte)'0',

    /// <summary><c>1</c>: the transport can be closed.</summary>
    Close = (byte)'1',

    /// <summary><c>2</c>: heartbeat request, sent by the server (and <c>2probe</c> by an upgrading client).</summary>
    Ping = (byte)'2',

    /// <summary><c>3</c>: heartbeat answer, sent by the client (and <c>3probe</c> by the server during an upgrade).</summary>
    Pong = (byte)'3',

    /// <summary><c>4</c>: a payload for the layer above.</summary>
    Message = (byte)'4',

    /// <summary><c>5</c>: completes the upgrade from polling to WebSocket.</summary>
    Upgrade = (byte)'5',

    /// <summary><c>6</c>: nothing; ends a pending long-polling request during an upgrade.</summary>
    Noop = (byte)'6',
}
