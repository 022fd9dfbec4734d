using Gateways.Hosting;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Tests.Gateways;

/// <summary>Services come from DI only when a parameter says [FromServices]; the client's JSON never stands in for
/// one, and every mistake in between stops the app at startup.</summary>
public sealed class ServiceBindingTests
{
    /// <summary>What the gateways of this file need to start.</summary>
    internal static void AddGatewayDependencies(IServiceCollection services) => services.AddSingleton<AuditLog>();

    private static Task<TestGatewayServer> StartAsync(Action<IServiceCollection> services) => TestGatewayServer.StartAsync(gateways =>
    {
        services(gateways.Services);
        gateways.AddGateway<AuditGateway>().AddGateway<PreferencesGateway>();
    });

    [Fact]
    public async Task AFromServicesParameterIsTheRegisteredServiceWhateverTheClientSends()
    {
        await using var server = await StartAsync(AddGatewayDependencies);
        await using var client = await GatewayTestClient.ConnectAsync(new Uri(server.Url), new GatewayTestClientOptions { Namespace = "/binding" });

        var count = await client.EmitWithAckAsync<int>("audit", new { text = "first", entries = new[] { "forged" } });
        var preferences = await client.EmitWithAckAsync<string>("preferences", new { theme = "dark" });

        Assert.Equal(1, count);
        Assert.Equal(["first"], server.Services.GetRequiredService<AuditLog>().Entries);
        Assert.Equal("theme=dark", preferences);
    }

    [Fact]
    public async Task AnUnregisteredFromServicesParameterStopsTheAppAtStartup()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(_ => { }));

        Assert.Equal("Parameter 'log' of AuditGateway.Audit (event 'audit') is [FromServices], but 'Gateways.Tests.Gateways.AuditLog' " +
            "is not registered; add it to the service collection.", error.Message);
    }

    [Fact]
    public async Task APayloadWhoseTypeIsARegisteredServiceStopsTheAppAtStartup()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(services =>
        {
            AddGatewayDependencies(services);
            services.AddSingleton<Preferences>();
        }));

        Assert.Equal("Parameter 'preferences' of PreferencesGateway.SetPreferences (event 'preferences') has no attribute, so it binds " +
            "the message body, but 'Gateways.Tests.Gateways.Preferences' is a registered service. Mark it [FromServices] to take the " +
            "service, or [MessageBody] to bind the payload.", error.Message);
    }
}
