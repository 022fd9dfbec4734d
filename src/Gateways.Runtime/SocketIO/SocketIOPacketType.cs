namespace Gateways.SocketIO;

/// <summary>Socket.IO v5 packet types (Socket.IO protocol, "Exchange protocol"), one ASCII digit on the wire.</summary>
public enum SocketIOPacketType : byte
{
    /// <summary><c>0</c>: connect to a namespace; the server answers with the socket id.</summary>
    Connect = 0,

    /// <summary><c>1</c>: leave a namespace.</summary>
    Disconnect = 1,

    /// <summary><c>2</c>: an event, <c>["name", ...args]</c>.</summary>
    Event = 2,

    /// <summary><c>3</c>: the answer to an event that carried an ack id, <c>[...args]</c>.</summary>
    Ack = 3,

    /// <summary><c>4</c>: the namespace connection was refused, <c>{"message": …}</c>.</summary>
    ConnectError = 4,

    /// <summary><c>5</c>: an event whose binary arguments follow as attachments.</summary>
    BinaryEvent = 5,

    /// <summary><c>6</c>: an acknowledgement whose binary arguments follow as attachments.</summary>
    BinaryAck = 6,
}
