using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Hosting;

/// <summary>Returned by <c>AddGateways()</c> to declare namespaces and swap parts such as the adapter.</summary>
public interface IGatewaysBuilder
{
    /// <summary>The service collection.</summary>
    IServiceCollection Services { get; }

    /// <summary>Declares (or adds to) a namespace.</summary>
    /// <param name="name">The namespace name, starting with <c>/</c>; or a template such as <c>/tenant-{id}</c>, a
    /// dynamic namespace whose every matching name is a child namespace with these middlewares and handlers.</param>
    /// <param name="configure">Adds middlewares and handlers.</param>
    /// <exception cref="ArgumentException">The name does not start with <c>/</c>, or the template is malformed.</exception>
    IGatewaysBuilder AddNamespace(string name, Action<GatewayNamespaceBuilder> configure);

    /// <summary>Declares (or adds to) a dynamic namespace by a regular expression (socket.io's
    /// <c>io.of(/^\/tenant-\d+$/)</c>): every namespace name it matches is a child namespace with these middlewares and
    /// handlers; its named groups are the socket's <see cref="IGatewaySocket.NamespaceValues"/>. An expression without
    /// a match timeout gets one of 100 ms (clients choose the names it runs on).</summary>
    /// <param name="pattern">The expression the whole name is matched with; anchor it (<c>^…$</c>).</param>
    /// <param name="configure">Adds middlewares and handlers.</param>
    IGatewaysBuilder AddNamespace(System.Text.RegularExpressions.Regex pattern, Action<GatewayNamespaceBuilder> configure);
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
        if (Namespaces.NamespacePattern.IsTemplate(name) && Namespaces.NamespacePattern.Problem(name) is { } problem)
        {
            throw new ArgumentException($"Namespace template '{name}': {problem}", nameof(name));
        }
        Add(name, configure);
        return this;
    }

    public IGatewaysBuilder AddNamespace(System.Text.RegularExpressions.Regex pattern, Action<GatewayNamespaceBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var key = pattern.ToString();
        if (key.Length > 0 && key[0] == '/')
        {
            // Its text is its name: one that starts like a namespace name would take that name's place.
            throw new ArgumentException($"Anchor the expression '{key}' with '^' (a name that starts with '/' is a namespace or template).", nameof(pattern));
        }
        Declarations.Expressions.TryAdd(key, pattern);
        Add(key, configure);
        return this;
    }

    private void Add(string name, Action<GatewayNamespaceBuilder> configure)
    {
        if (!Declarations.Namespaces.TryGetValue(name, out var configures))
        {
            Declarations.Namespaces[name] = configures = [];
        }
        configures.Add(configure);
    }
}
