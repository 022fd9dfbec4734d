using System.Security.Claims;
using Gateways.Dispatch;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Security;

/// <summary>ASP.NET Core authorization for gateways: the policy of a gateway's or a handler's <c>[Authorize]</c>
/// attributes, evaluated for a socket's user at connect (the gateway's) and around each handled event (the handler's).</summary>
internal static class GatewayAuthorization
{
    /// <summary>What a refused socket or event is told, as NestJS's guards say it.</summary>
    public const string Forbidden = "Forbidden resource";

    /// <summary>The policy of a set of <c>[Authorize]</c> attributes, combined once on first use.</summary>
    public static Lazy<Task<AuthorizationPolicy>> Policy(IServiceProvider services, IReadOnlyList<GatewayAuthorizeData> data, string what)
    {
        var provider = services.GetService<IAuthorizationPolicyProvider>()
            ?? throw new InvalidOperationException($"[Authorize] on {what} needs builder.Services.AddAuthorization().");
        var attributes = data.Select(d => new AuthorizeAttribute { Policy = d.Policy, Roles = d.Roles }).ToArray();
        return new Lazy<Task<AuthorizationPolicy>>(async () =>
            await AuthorizationPolicy.CombineAsync(provider, attributes) ?? new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
    }

    /// <summary>Evaluates a policy for a socket's user; the resource is the event or connect context.</summary>
    public static async ValueTask<bool> IsAuthorizedAsync(IServiceProvider services, ClaimsPrincipal? user,
        Lazy<Task<AuthorizationPolicy>> policy, object resource)
    {
        var authorization = services.GetRequiredService<IAuthorizationService>();
        var result = await authorization.AuthorizeAsync(user ?? new ClaimsPrincipal(new ClaimsIdentity()), resource, await policy.Value);
        return result.Succeeded;
    }

}
