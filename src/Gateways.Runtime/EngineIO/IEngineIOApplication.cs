namespace Gateways.EngineIO;

/// <summary>
/// What runs on top of Engine.IO: told of each new session, it returns the handler of that session's messages.
/// The Socket.IO layer is one; an echo server for the conformance suite is another.
/// </summary>
public interface IEngineIOApplication
{
    /// <summary>Called once the handshake is sent, before any message of the session arrives.</summary>
    /// <param name="session">The new session.</param>
    /// <returns>The handler of this session's messages.</returns>
    IEngineIOSessionHandler OnOpen(EngineIOSession session);

    /// <summary>Whether a new session stays "pending" — counted against
    /// <see cref="EngineIOOptions.MaxPendingSessionsPerAddress"/> and <see cref="EngineIOOptions.MaxPendingSessions"/> —
    /// until the application calls <see cref="EngineIOSession.MarkApplicationConnected"/> (Socket.IO: when a
    /// namespace is connected). Default <see langword="false"/>: an application with no such step is not capped.</summary>
    bool TracksPendingSessions => false;
}

/// <summary>Receives the messages of one Engine.IO session, one at a time, in order.</summary>
public interface IEngineIOSessionHandler
{
    /// <summary>One message from the client. The next message is not delivered before the returned task ends.</summary>
    /// <param name="message">The message; its memory belongs to the handler.</param>
    ValueTask OnMessageAsync(EngineIOMessage message);

    /// <summary>Called once when the session ends, for whatever reason.</summary>
    /// <param name="reason">Why, in socket.io's words: <c>transport close</c>, <c>ping timeout</c>,
    /// <c>parse error</c>, <c>forced close</c>, …</param>
    void OnClose(string reason);
}

/// <summary>
/// Accepts or refuses a handshake, the request that would open a session (socket.io's <c>allowRequest</c>): register
/// one in DI to look at headers, cookies or addresses before any session exists. A refusal is answered 403. As in
/// engine.io, a session's later requests (polls, its upgrade to WebSocket) are not filtered again.
/// </summary>
public interface IEngineIORequestFilter
{
    /// <summary>Whether the request may open a session.</summary>
    /// <param name="context">The handshake request: polling, or a WebSocket opened without a session.</param>
    ValueTask<bool> AllowRequestAsync(Microsoft.AspNetCore.Http.HttpContext context);
}
