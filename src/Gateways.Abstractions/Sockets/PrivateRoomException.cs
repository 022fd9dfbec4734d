namespace Gateways;

/// <summary>
/// Thrown by <see cref="IGatewaySocket.Join(string)"/> for a room that belongs to someone else: another socket's own
/// room (named by its id) or another user's personal room (named by the user id). Such rooms carry what is meant for
/// one socket or one user alone (<c>To(userId).Emit(...)</c>), so joining them would let one client read another's
/// messages. A <see cref="WsException"/>: thrown from a handler, the client gets the <c>exception</c> event with this
/// message. Apps that mean it (an admin console) set <c>GatewaysOptions.AllowJoiningPrivateRooms</c>.
/// </summary>
public sealed class PrivateRoomException : WsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="room">The room that was refused.</param>
    /// <param name="message">The message the client sees.</param>
    public PrivateRoomException(string room, string message) : base(message) => Room = room;

    /// <summary>The room that was refused.</summary>
    public string Room { get; }
}
