namespace Gateways.Tests.Observability;

/// <summary>One handler per outcome the metrics tell apart.</summary>
[WebSocketGateway("/metrics")]
public sealed class MetricsGateway
{
    [SubscribeMessage("ok")]
    public string Ok() => "ok";

    [SubscribeMessage("crash")]
    public string Crash() => throw new InvalidOperationException("boom");

    [SubscribeMessage("refuse")]
    public string Refuse() => throw new WsException("not now");

    [SubscribeMessage("shout")]
    public void Shout([ConnectedSocket] IGatewaySocket client) => client.Broadcast.Emit("shout", "hi");
}
