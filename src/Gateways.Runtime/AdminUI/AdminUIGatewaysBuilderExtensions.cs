using Gateways.AdminUI;
using Gateways.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Serves the socket.io Admin UI's namespace.</summary>
public static class AdminUIGatewaysBuilderExtensions
{
    /// <summary>
    /// Serves the namespace <c>@socket.io/admin-ui</c>'s page (0.5) connects to, <c>/admin</c> by default: the page
    /// logs in with <see cref="AdminUIOptions.Username"/> and the password behind
    /// <see cref="AdminUIOptions.PasswordHash"/>, then sees every server of the cluster (its stats, and in
    /// Development mode every socket, room and event) and may emit, join, leave and disconnect. The app's connection
    /// middlewares (JWT authentication) do not run for this namespace; its own login does.
    /// </summary>
    /// <param name="gateways">The builder.</param>
    /// <param name="configure">Sets the credentials and the mode.</param>
    /// <exception cref="InvalidOperationException">Called twice.</exception>
    public static IGatewaysBuilder AddAdminUI(this IGatewaysBuilder gateways, Action<AdminUIOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(gateways);
        ArgumentNullException.ThrowIfNull(configure);
        if (gateways.Services.Any(service => service.ServiceType == typeof(AdminUIMonitor)))
        {
            throw new InvalidOperationException("AddAdminUI() was called twice; configure the Admin UI in one call.");
        }
        // The namespace is declared now, before options exist; the options must keep the name it was declared with.
        var declared = new AdminUIOptions();
        configure(declared);
        var name = declared.NamespaceName;
        gateways.AddNamespace(name, static _ => { });
        var declarations = ((GatewaysBuilder)gateways).Declarations;
        declarations.SelfAuthenticated.Add(name);
        declarations.EveryNamespace.Add(AdminUINamespace.Configure);
        gateways.Services.AddOptions<AdminUIOptions>().Configure(configure).ValidateOnStart();
        gateways.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AdminUIOptions>>(new AdminUIOptionsValidator(name)));
        gateways.Services.AddSingleton<AdminUIMonitor>();
        gateways.Services.AddSingleton<IHostedService>(services => services.GetRequiredService<AdminUIMonitor>());
        return gateways;
    }
}

/// <summary>Refuses at startup an Admin UI that anyone could use by mistake.</summary>
internal sealed class AdminUIOptionsValidator(string declaredName) : IValidateOptions<AdminUIOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminUIOptions options)
    {
        var problems = new List<string>();
        if (options.NamespaceName != declaredName)
        {
            problems.Add($"AdminUI NamespaceName is '{options.NamespaceName}' but the namespace was declared as '{declaredName}'; set it in AddAdminUI's delegate only.");
        }
        if (!options.AllowAnonymous)
        {
            if (string.IsNullOrEmpty(options.Username))
            {
                problems.Add("AdminUI needs a Username (or AllowAnonymous = true, for a server nobody else can reach).");
            }
            if (!AdminUIPassword.IsValid(options.PasswordHash))
            {
                problems.Add("AdminUI PasswordHash must be a hash made by AdminUIPassword.Hash(password), not the password itself.");
            }
        }
        if (options.StatsInterval < TimeSpan.FromMilliseconds(100))
        {
            problems.Add("AdminUI StatsInterval must be at least 100 ms.");
        }
        if (options.MaxQueuedEvents < 1 || options.MaxSessions < 1)
        {
            problems.Add("AdminUI MaxQueuedEvents and MaxSessions must be positive.");
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
