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

internal sealed class GatewaysBuilder(IServiceCollection services) : IGatewaysBuilder
{
    public IServiceCollection Services { get; } = services;

    public IGatewaysBuilder AddNamespace(string name, Action<GatewayNamespaceBuilder> configure)
    {
        if (string.IsNullOrEmpty(name) || name[0] != '/')
        {
            throw new ArgumentException($"Namespace names start with '/'; got '{name}'.", nameof(name));
        }
        Services.Configure<GatewaysOptions>(options =>
        {
            if (!options.Namespaces.TryGetValue(name, out var configures))
            {
                options.Namespaces[name] = configures = [];
            }
            configures.Add(configure);
        });
        return this;
    }
}
