using System.Security.Claims;
using Gateways.Dispatch;
using Gateways.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Namespaces;

/// <summary>
/// Wraps each handler once, at startup, in what its metadata and the server ask for: global filters (outermost), then
/// <c>[Authorize]</c>, then guards, then the generated invoker. Handlers without any of these stay unwrapped.
/// </summary>
internal static class HandlerPipeline
{
    public static GatewayEventHandler Build(string eventName, GatewayEventHandler handler, GatewayHandlerMetadata? metadata,
        IServiceProvider services, IReadOnlyList<Type> filters)
    {
        var isService = services.GetService<IServiceProviderIsService>();
        var pipeline = handler;
        if (metadata is { Guards.Count: > 0 })
        {
            foreach (var guard in metadata.Guards)
            {
                Require(isService, guard, $"Guard '{guard.FullName}' of event '{eventName}'");
            }
            pipeline = WithGuards(pipeline, metadata.Guards);
        }
        if (metadata is { Authorize.Count: > 0, AllowAnonymous: false })
        {
            pipeline = WithAuthorization(pipeline, GatewayAuthorization.Policy(services, metadata.Authorize, $"event '{eventName}'"));
        }
        for (var i = filters.Count - 1; i >= 0; i--)
        {
            pipeline = WithFilter(pipeline, filters[i]);
        }
        return pipeline;
    }

    private static GatewayEventHandler WithAuthorization(GatewayEventHandler next, Lazy<Task<AuthorizationPolicy>> policy) =>
        async context =>
        {
            if (!await GatewayAuthorization.IsAuthorizedAsync(context.Services, context.Socket.User, policy, context))
            {
                throw new WsException(GatewayAuthorization.Forbidden);
            }
            await next(context);
        };

    private static GatewayEventHandler WithGuards(GatewayEventHandler next, IReadOnlyList<Type> guards) =>
        async context =>
        {
            foreach (var type in guards)
            {
                var guard = (IWsGuard)context.Services.GetRequiredService(type);
                if (!await guard.CanActivateAsync(context))
                {
                    throw new WsException(GatewayAuthorization.Forbidden);
                }
            }
            await next(context);
        };

    private static GatewayEventHandler WithFilter(GatewayEventHandler next, Type filterType) =>
        context => ((IGatewayFilter)context.Services.GetRequiredService(filterType)).InvokeAsync(context, next);

    private static void Require(IServiceProviderIsService? isService, Type type, string what)
    {
        if (isService is not null && !isService.IsService(type))
        {
            throw new InvalidOperationException($"{what} is not registered as a service; add it to the service collection.");
        }
    }
}
