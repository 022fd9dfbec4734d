using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Hosting;

/// <summary>Returned by <c>AddGateways()</c> to declare namespaces and swap parts such as the adapter.</summary>
public interface IGatewaysBuilder
{
    /// <summary>The service collection.</summary>
    IServiceCollection Services { get; }

    /// <summary>Declares (or adds to) a namespace.</summary>
    /// <param name="name">The namespace name, starting with <c>/</c>.</param>
    /// <param name="configure">Adds middlewares and handlers.</param>
    IGatewaysBuilder AddNamespace(string name, Action<GatewayNamespaceBuilder> configure);
}

internal sealed class GatewaysBuilder : IGatewaysBuilder
{
    public GatewaysBuilder(IServiceCollection services)
    {
        Services = services;
        var existing = services.FirstOrDefault(d => d.ServiceType == typeof(GatewayDeclarations))?.ImplementationInstance;
        if (existing is GatewayDeclarations declarations)
        {
            Declarations = declarations;
        }
        else
        {
            Declarations = new GatewayDeclarations();
            services.AddSingleton(Declarations);
            GatewayDiscovery.Discover(services, Declarations);
        }
    }

    public IServiceCollection Services { get; }

    public GatewayDeclarations Declarations { get; }

    public IGatewaysBuilder AddNamespace(string name, Action<GatewayNamespaceBuilder> configure)
    {
        if (string.IsNullOrEmpty(name) || name[0] != '/')
        {
            throw new ArgumentException($"Namespace names start with '/'; got '{name}'.", nameof(name));
        }
        if (!Declarations.Namespaces.TryGetValue(name, out var configures))
        {
            Declarations.Namespaces[name] = configures = [];
        }
        configures.Add(configure);
        return this;
    }
}
