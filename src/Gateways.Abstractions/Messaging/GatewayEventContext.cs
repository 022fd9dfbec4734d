namespace Gateways;

/// <summary>
/// One event received from a client, as a handler sees it: who sent it, its name, its arguments and the
/// acknowledgement callback the client may have asked for.
/// </summary>
public abstract class GatewayEventContext
{
    /// <summary>The socket that sent the event.</summary>
    public abstract IGatewaySocket Socket { get; }

    /// <summary>The event name.</summary>
    public abstract string EventName { get; }

    /// <summary>The event arguments, without the acknowledgement callback.</summary>
    public abstract EventArguments Arguments { get; }

    /// <summary>Whether the client passed an acknowledgement callback.</summary>
    public abstract bool HasAck { get; }

    /// <summary>Whether the acknowledgement was already sent.</summary>
    public abstract bool Acknowledged { get; }

    /// <summary>The request services of the scope that handles this event.</summary>
    public abstract IServiceProvider Services { get; }

    /// <summary>The handler's metadata (authorization, guards, filters), when the handler is generated.</summary>
    public virtual Dispatch.GatewayHandlerMetadata? Handler => null;

    /// <summary>Cancelled when the socket disconnects.</summary>
    public CancellationToken Disconnected => Socket.Disconnected;

    /// <summary>Calls the client's acknowledgement callback with <paramref name="args"/>. Only the first call is sent;
    /// without a callback nothing is sent.</summary>
    /// <param name="args">The values the callback receives.</param>
    /// <returns><see langword="true"/> when this call sent the acknowledgement.</returns>
    public abstract bool Ack(params object?[] args);
}

/// <summary>Handles one event; see <see cref="GatewayEventContext"/>.</summary>
/// <param name="context">The event.</param>
public delegate ValueTask GatewayEventHandler(GatewayEventContext context);
