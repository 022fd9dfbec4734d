namespace Gateways;

/// <summary>
/// A namespace connection that is being decided: connection middlewares (socket.io's <c>io.use</c>) inspect it,
/// attach data such as <see cref="IGatewaySocket.User"/>, or refuse it by throwing
/// <see cref="ConnectionRefusedException"/>.
/// </summary>
public sealed class GatewayConnectContext
{
    /// <summary>Creates the context.</summary>
    /// <param name="socket">The socket that will join the namespace if every middleware lets it.</param>
    /// <param name="services">The services of the scope the connection is decided in.</param>
    public GatewayConnectContext(IGatewaySocket socket, IServiceProvider services)
    {
        Socket = socket;
        Services = services;
    }

    /// <summary>The socket that will join the namespace if every middleware lets it; not yet in any room.</summary>
    public IGatewaySocket Socket { get; }

    /// <summary>The services of the scope the connection is decided in.</summary>
    public IServiceProvider Services { get; }
}

/// <summary>
/// Runs when a client connects to a namespace, before the socket joins it. Throw
/// <see cref="ConnectionRefusedException"/> to refuse; call <paramref name="next"/> to let the next middleware decide.
/// </summary>
/// <param name="context">The connection being decided.</param>
/// <param name="next">The rest of the middleware chain.</param>
public delegate ValueTask GatewayConnectionMiddleware(GatewayConnectContext context, Func<ValueTask> next);
