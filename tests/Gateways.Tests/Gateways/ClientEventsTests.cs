using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Tests.Gateways;

/// <summary>What the lobby's clients get, typed.</summary>
[GatewayClientEvents]
public interface ILobbyClient
{
    void Welcome(string name, int seat);

    [ClientEvent("table:ready")]
    void TableReady(LobbyTable table);

    void Closed();
}

public sealed record LobbyTable(string Id, IReadOnlyList<string> Players);

[WebSocketGateway("/lobby", ClientEvents = typeof(ILobbyClient))]
public sealed class LobbyGateway
{
    [WebSocketServer]
    public IGatewayServer Server { get; set; } = null!;

    [SubscribeMessage("sit")]
    public bool Sit([MessageBody] string name, IGatewaySocket client)
    {
        client.Join("table-1");
        client.Typed<ILobbyClient>().Welcome(name, 3);
        Server.To("table-1").Typed<ILobbyClient>().TableReady(new LobbyTable("table-1", [name]));
        return true;
    }
}

/// <summary>The lobby's typed .NET client, generated from <see cref="LobbyGateway"/>.</summary>
[GatewayClient(typeof(LobbyGateway))]
public sealed partial class LobbyClient;

/// <summary>Typed server-to-client events on a real server: each method of the generated implementation is the
/// event it names, to whatever target it was made for (a socket, a room, a service's broadcaster).</summary>
public sealed class ClientEventsTests
{
    private static Task<GatewayTestClient> ConnectAsync(TestGatewayServer server) =>
        GatewayTestClient.ConnectAsync(new Uri(server.Url), new GatewayTestClientOptions { Namespace = "/lobby" });

    [Fact]
    public async Task EachMethodSendsItsEventToItsTarget()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways => gateways.AddGateway<LobbyGateway>());
        await using var seated = await ConnectAsync(server);
        await using var other = await ConnectAsync(server);

        await seated.EmitWithAckAsync("sit", "ada");

        var welcome = await seated.WaitForAsync("welcome");
        Assert.Equal("ada", welcome.Get<string>(0));
        Assert.Equal(3, welcome.Get<int>(1));
        var table = await seated.WaitForAsync("table:ready");
        Assert.Equal("""{"id":"table-1","players":["ada"]}""", table.GetJson(0).GetRawText());

        // From a service, through the broadcaster: no arguments at all.
        server.Services.GetRequiredService<IGatewayBroadcaster>().Of("/lobby").Server.Typed<ILobbyClient>().Closed();
        Assert.Equal(0, (await other.WaitForAsync("closed")).Count);
        Assert.DoesNotContain(other.Events, e => e.Name is "welcome" or "table:ready");
    }

    [Fact]
    public async Task AnInterfaceTheGeneratorDidNotImplementSaysSo()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways => gateways.AddGateway<LobbyGateway>());

        var error = Assert.Throws<InvalidOperationException>(() =>
            server.Services.GetRequiredService<IGatewayBroadcaster>().Server.Typed<IDisposable>());
        Assert.Contains("'System.IDisposable' has no generated implementation: mark it [GatewayClientEvents]", error.Message);
    }

    [Fact]
    public async Task TheGeneratedClientSendsWithTypedAcksAndListensToTypedEvents()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways => gateways.AddGateway<LobbyGateway>());
        var lobby = await LobbyClient.ConnectAsync(new Uri(server.Url));
        await using var connection = lobby.Connection;
        var tables = new List<LobbyTable>();
        using var subscription = lobby.OnTableReady(tables.Add);

        bool seated = await lobby.SitAsync("grace");

        Assert.True(seated);
        var (name, seat) = await lobby.WaitForWelcomeAsync();
        Assert.Equal(("grace", 3), (name, seat));
        var table = await lobby.WaitForTableReadyAsync();
        Assert.Equal("table-1", table.Id);
        Assert.Equal(["grace"], table.Players);
        Assert.Equal("table-1", Assert.Single(tables).Id);
        Assert.Equal("/lobby", LobbyClient.Namespace);

        server.Services.GetRequiredService<IGatewayBroadcaster>().Of("/lobby").Server.Typed<ILobbyClient>().Closed();
        await lobby.WaitForClosedAsync();
    }
}
