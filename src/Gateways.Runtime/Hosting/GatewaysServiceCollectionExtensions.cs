using Gateways;
using Gateways.Adapters;
using Gateways.Hosting;
using Gateways.Namespaces;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Gateways Socket.IO server.</summary>
public static class GatewaysServiceCollectionExtensions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string ConfigurationSection = "Gateways";

    /// <summary>
    /// Adds the Socket.IO server: options bound from the <c>Gateways</c> configuration section, then
    /// <paramref name="configure"/>; the in-memory adapter unless another <see cref="IGatewayAdapterFactory"/> is
    /// registered; <see cref="TimeProvider.System"/> unless another clock is registered.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Adjusts the options in code.</param>
    /// <returns>A builder to declare namespaces.</returns>
    public static IGatewaysBuilder AddGateways(this IServiceCollection services, Action<GatewaysOptions>? configure = null)
    {
        var options = services.AddOptions<GatewaysOptions>().BindConfiguration(ConfigurationSection);
        if (configure is not null)
        {
            options.Configure(configure);
        }
        // A setting that would open a door fails the app at startup, not at the first attack.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Options.IValidateOptions<GatewaysOptions>, GatewaysOptionsValidator>());
        options.ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IGatewayAdapterFactory, InMemoryGatewayAdapterFactory>();
        services.TryAddSingleton<SocketIOServer>();
        services.TryAddSingleton<IGatewayBroadcaster>(provider => new GatewayBroadcaster(provider.GetRequiredService<SocketIOServer>()));
        services.TryAddSingleton<IGatewayValidator>(provider => new Gateways.Security.GeneratedGatewayValidator(provider));
        // The server's health (see GatewaysHealthCheck), once however often AddGateways() is called.
        services.AddHealthChecks();
        services.Configure<HealthCheckServiceOptions>(health =>
        {
            if (!health.Registrations.Any(registration => registration.Name == GatewaysHealthCheck.Name))
            {
                health.Registrations.Add(new HealthCheckRegistration(
                    GatewaysHealthCheck.Name,
                    provider => new GatewaysHealthCheck(provider.GetRequiredService<SocketIOServer>(),
                        provider.GetRequiredService<IHostApplicationLifetime>()),
                    failureStatus: null, tags: ["gateways"]));
            }
        });
        return new GatewaysBuilder(services);
    }
}
