using System.Reflection;
using Gateways.Dispatch;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gateways.Hosting;

/// <summary>Finds the gateways of the app's own project without reflection: the generated module initializer of the
/// app's assembly has put their descriptors in <see cref="GatewayRegistry"/> before its code called
/// <c>AddGateways()</c>; the app's assembly is the one ASP.NET Core names <see cref="IHostEnvironment.ApplicationName"/>
/// (also under <c>WebApplicationFactory</c>), as MVC finds its application parts.</summary>
internal static class GatewayDiscovery
{
    public static void Discover(IServiceCollection services, GatewayDeclarations declarations)
    {
        var application = ApplicationName(services);
        if (application is null)
        {
            return;
        }
        var found = GatewayRegistry.All
            .Where(d => d.AddServices is not null && string.Equals(d.GatewayType.Assembly.GetName().Name, application, StringComparison.Ordinal))
            .OrderBy(d => d.GatewayType.FullName, StringComparer.Ordinal);
        foreach (var descriptor in found)
        {
            descriptor.AddServices!(services);
            declarations.DiscoveredGateways.Add(descriptor);
        }
    }

    private static string? ApplicationName(IServiceCollection services)
    {
        foreach (var service in services)
        {
            if (service.ServiceType == typeof(IHostEnvironment) && service.ImplementationInstance is IHostEnvironment environment
                && !string.IsNullOrEmpty(environment.ApplicationName))
            {
                return environment.ApplicationName;
            }
        }
        return Assembly.GetEntryAssembly()?.GetName().Name;
    }
}
