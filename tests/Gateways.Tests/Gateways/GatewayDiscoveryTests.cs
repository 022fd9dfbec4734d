using Gateways.Hosting;
using Gateways.Namespaces;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateways.Tests.Gateways;

/// <summary>AddGateways() serves every [WebSocketGateway] of the app's own project; opting out leaves only the ones
/// added by hand, and says which were left out.</summary>
public sealed class GatewayDiscoveryTests
{
    private const string ThisProject = "Gateways.Tests";

    private static readonly string[] EveryNamespaceOfThisProject =
        ["/", "/acks", "/admin", "/binding", "/catchall", "/chat", "/hardening", "/leaving", "/lobby", "/metrics", "/order", "/public", "/sink", "/upgrade"];

    private static void AddDependencies(IServiceCollection services)
    {
        services.AddSingleton<ChatService>();
        services.AddScoped<RequestCounter>();
        services.AddKeyedSingleton("formal", new Greeting("good day"));
        ServiceBindingTests.AddGatewayDependencies(services);
        Security.SecurityTests.AddGatewayDependencies(services);
    }

    [Fact]
    public async Task EveryGatewayOfTheAppsProjectIsServedWithoutAddGateway()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways => AddDependencies(gateways.Services), applicationName: ThisProject);
        await using var client = await GatewayTestClient.ConnectAsync(new Uri(server.Url), new GatewayTestClientOptions { Namespace = "/binding" });

        var answer = await client.EmitWithAckAsync<string>("preferences", new { theme = "light" });

        Assert.Equal("theme=light", answer);
        Assert.Equal(EveryNamespaceOfThisProject, server.Services.GetRequiredService<SocketIOServer>().Namespaces.Select(n => n.Name).Order());
        Assert.NotNull(server.Services.GetService<PreferencesGateway>());
    }

    [Fact]
    public async Task WithDiscoveryOffOnlyTheAddedGatewaysAreServedAndTheRestAreNamed()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways =>
        {
            AddDependencies(gateways.Services);
            gateways.AddGateway<PreferencesGateway>();
        }, options => options.DiscoverGateways = false, applicationName: ThisProject);
        await using var served = await GatewayTestClient.ConnectAsync(new Uri(server.Url), new GatewayTestClientOptions { Namespace = "/binding" });

        Assert.Equal("theme=dark", await served.EmitWithAckAsync<string>("preferences", new { theme = "dark" }));
        var refused = await Assert.ThrowsAsync<GatewayConnectException>(() =>
            GatewayTestClient.ConnectAsync(new Uri(server.Url), new GatewayTestClientOptions { Namespace = "/sink" }));
        Assert.Equal("Invalid namespace", refused.Message);
        var warning = Assert.Single(server.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("DiscoverGateways is off"));
        Assert.Contains("Gateways.Tests.Gateways.KitchenSinkGateway", warning.Message);
        Assert.Contains("Gateways.Tests.Gateways.AuditGateway", warning.Message);
        Assert.DoesNotContain("PreferencesGateway", warning.Message);
    }

    [Fact]
    public async Task AnotherApplicationsGatewaysAreNotDiscovered()
    {
        await using var server = await TestGatewayServer.StartAsync(_ => { }, applicationName: "SomeOtherApp");

        Assert.Equal(["/"], server.Services.GetRequiredService<SocketIOServer>().Namespaces.Select(n => n.Name));
    }
}
