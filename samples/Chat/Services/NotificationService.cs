using Gateways;

namespace Chat.Services;

/// <summary>Personal notifications and price updates, sent through the broadcast service from the HTTP API.</summary>
public sealed class NotificationService(IGatewayBroadcaster broadcaster)
{
    public void NotifyUser(string userId, string title, string body) =>
        broadcaster.SendToUser(userId, "notification", new { title, body });

    public void PublishPrice(string symbol, decimal price) =>
        broadcaster.Broadcast("priceUpdate", new { symbol, price });
}
