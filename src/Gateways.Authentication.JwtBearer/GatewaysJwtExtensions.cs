using Gateways;
using Gateways.Hosting;
using Gateways.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>JWT authentication for gateways, on the app's own JwtBearer configuration.</summary>
public static class GatewaysJwtExtensions
{
    /// <summary>
    /// Authenticates every socket with a JWT validated by the app's JwtBearer configuration (register it with
    /// <c>AddAuthentication().AddJwtBearer(…)</c>; the same tokens then work for HTTP and sockets). Missing, invalid
    /// or expired tokens are refused with CONNECT_ERROR <c>{"message":"Unauthorized"}</c>.
    /// </summary>
    /// <param name="gateways">The builder.</param>
    /// <param name="configure">Adjusts token sources, user id claims, anonymous namespaces and expiry handling.</param>
    public static IGatewaysBuilder AddJwtAuthentication(this IGatewaysBuilder gateways, Action<GatewaysJwtOptions>? configure = null)
    {
        var options = gateways.Services.AddOptions<GatewaysJwtOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        gateways.Services.TryAddSingleton<JwtConnectionAuthenticator>();
        var declarations = ((GatewaysBuilder)gateways).Declarations;
        declarations.GlobalMiddlewares.Add((context, next) =>
            context.Services.GetRequiredService<JwtConnectionAuthenticator>().AuthenticateAsync(context, next));
        return gateways;
    }
}
