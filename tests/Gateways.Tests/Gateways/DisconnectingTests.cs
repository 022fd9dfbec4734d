using Gateways.Hosting;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Tests.Gateways;

/// <summary>Tells a room who is leaving it: <see cref="IOnGatewayDisconnecting"/> sees the socket still in its rooms,
/// <see cref="IOnGatewayDisconnectAsync"/> after it left them.</summary>
[WebSocketGateway("/leaving")]
public sealed class LeavingGateway : IOnGatewayDisconnecting, IOnGatewayDisconnectAsync
{
    public TaskCompletionSource<IReadOnlyCollection<string>> RoomsAfterLeaving { get; } =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    [SubscribeMessage("join")]
    public string Join([ConnectedSocket] IGatewaySocket client, [MessageBody] string room)
    {
        client.Join(room);
        return room;
    }

    public void HandleDisconnecting(IGatewaySocket client, string reason)
    {
        foreach (var room in client.Rooms.Where(room => room != client.Id))
        {
            client.To(room).Emit("left", client.Id, room, reason);
        }
    }

    public ValueTask HandleDisconnectAsync(IGatewaySocket client, string reason)
    {
        RoomsAfterLeaving.TrySetResult([.. client.Rooms]);
        return ValueTask.CompletedTask;
    }
}

public sealed class DisconnectingTests
{
    [Fact]
    public async Task ALeavingSocketCanStillReachItsRoomsAndHasLeftThemWhenDisconnectRuns()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways => gateways.AddGateway<LeavingGateway>());
        var options = new GatewayTestClientOptions { Namespace = "/leaving" };
        await using var staying = await GatewayTestClient.ConnectAsync(new Uri(server.Url), options);
        var leaving = await GatewayTestClient.ConnectAsync(new Uri(server.Url), options);
        await staying.EmitWithAckAsync<string>("join", "lobby");
        await leaving.EmitWithAckAsync<string>("join", "lobby");
        var leavingId = leaving.Id;

        await leaving.DisconnectAsync();

        var left = await staying.WaitForAsync("left");
        Assert.Equal((leavingId, "lobby", "client namespace disconnect"),
            (left.Get<string>(0), left.Get<string>(1), left.Get<string>(2)));
        var gateway = server.Services.GetRequiredService<LeavingGateway>();
        Assert.Empty(await gateway.RoomsAfterLeaving.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await leaving.DisposeAsync();
    }
}
