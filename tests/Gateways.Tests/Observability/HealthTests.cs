using Gateways.Hosting;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Gateways.Tests.Observability;

/// <summary>The <c>gateways</c> health check that <c>AddGateways()</c> registers: what an orchestrator or a load
/// balancer reads from <c>/health</c>.</summary>
public sealed class HealthTests
{
    [Fact]
    public async Task AServingServerIsHealthyAndCountsItsConnectionsAndSockets()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways => gateways.AddNamespace("/h", _ => { }));
        await using var client = await GatewayTestClient.ConnectAsync(new Uri(server.Url), new GatewayTestClientOptions { Namespace = "/h" });

        var entry = await CheckAsync(server.Services);

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(1, entry.Data["connections"]);
        Assert.Equal(1, entry.Data["sockets /h"]);
        Assert.Equal(0, entry.Data["sockets /"]);
    }

    [Fact]
    public async Task AStoppingServerIsUnhealthySoThatNewClientsGoElsewhere()
    {
        await using var server = await TestGatewayServer.StartAsync(_ => { });

        server.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        var entry = await CheckAsync(server.Services);
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.StartsWith("Stopping", entry.Description);
    }

    [Fact]
    public async Task AnAppThatNeverMapsGatewaysIsToldSo()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddGateways();
        builder.Services.AddGateways(); // twice: still one check
        await using var app = builder.Build();
        await app.StartAsync();

        var report = await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = Assert.Single(report.Entries).Value;
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("MapGateways() was not called", entry.Description);
        await app.StopAsync();
    }

    private static async Task<HealthReportEntry> CheckAsync(IServiceProvider services)
    {
        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries["gateways"];
    }
}
