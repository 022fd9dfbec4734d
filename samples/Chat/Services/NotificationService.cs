using Chat.Gateways;
using Gateways;

namespace Chat.Services;

/// <summary>Personal notifications and price updates, sent through the broadcast service from the HTTP API.</summary>
public sealed class NotificationService(IGatewayBroadcaster broadcaster)
{
    // A user's sockets share the room named by the user id.
    public void NotifyUser(string userId, string title, string body) =>
        broadcaster.Server.To(userId).Typed<IChatClient>().Notification(new ChatNotification(Title: title, Body: body));

    public void PublishPrice(string symbol, decimal price) =>
        broadcaster.Server.Typed<IChatClient>().PriceUpdate(new PriceTick(symbol, price));
}
