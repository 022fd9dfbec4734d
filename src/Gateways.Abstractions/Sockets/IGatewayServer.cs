namespace Gateways;

/// <summary>
/// One namespace seen from the server: emits to every socket of the namespace, or narrows with
/// <see cref="IBroadcastOperator.To(string)"/>. NestJS's <c>@WebSocketServer() server</c>.
/// </summary>
public interface IGatewayServer : IBroadcastOperator
{
    /// <summary>The namespace name, such as <c>/</c>.</summary>
    string Name { get; }

    /// <summary>The number of sockets connected to this namespace on this server.</summary>
    int LocalSocketCount { get; }
}
