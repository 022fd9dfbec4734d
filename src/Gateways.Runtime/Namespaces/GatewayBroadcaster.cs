namespace Gateways.Namespaces;

/// <summary>The broadcast service over this server's namespaces; the adapter takes it across instances.</summary>
internal sealed class GatewayBroadcaster(SocketIOServer server, string @namespace = "/") : IGatewayBroadcaster
{
    public string Namespace => @namespace;

    public IGatewayServer Server => server.Of(@namespace);

    public void SendToUser(string userId, string eventName, object? data) => Server.To(userId).Emit(eventName, data);

    public void Broadcast(string eventName, object? data) => Server.Emit(eventName, data);

    public IBroadcastOperator ToRoom(string room) => Server.To(room);

    public IGatewayBroadcaster Of(string name) => new GatewayBroadcaster(server, name);
}
