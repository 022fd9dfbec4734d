using System.Diagnostics.CodeAnalysis;
using Gateways;
using Gateways.Hosting;
using Gateways.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Filters and validation for gateways (JWT authentication is in the Gateways.Authentication.JwtBearer package).</summary>
public static class GatewaysSecurityExtensions
{
    /// <summary>Runs <typeparamref name="TFilter"/> around every handler call (like SignalR's hub filters), in
    /// registration order, the first outermost. It is resolved from each event's DI scope.</summary>
    /// <typeparam name="TFilter">The filter.</typeparam>
    /// <param name="gateways">The builder.</param>
    public static IGatewaysBuilder AddGatewayFilter<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TFilter>(
        this IGatewaysBuilder gateways) where TFilter : class, IGatewayFilter
    {
        gateways.Services.TryAddScoped<TFilter>();
        ((GatewaysBuilder)gateways).Declarations.Filters.Add(typeof(TFilter));
        return gateways;
    }

    /// <summary>Tries <typeparamref name="TFilter"/> for every handler's exceptions, after the handler's own
    /// <see cref="UseFiltersAttribute"/> filters.</summary>
    /// <typeparam name="TFilter">The exception filter.</typeparam>
    /// <param name="gateways">The builder.</param>
    public static IGatewaysBuilder AddExceptionFilter<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TFilter>(
        this IGatewaysBuilder gateways) where TFilter : class, IWsExceptionFilter
    {
        gateways.Services.TryAddScoped<TFilter>();
        ((GatewaysBuilder)gateways).Declarations.ExceptionFilters.Add(typeof(TFilter));
        return gateways;
    }

    /// <summary>Validates message bodies with DataAnnotations' reflection-based validator when no generated
    /// Microsoft.Extensions.Validation metadata exists for the type. Not for trimmed or Native AOT apps: there, call
    /// <c>AddValidation()</c> and mark the DTOs <c>[ValidatableType]</c> instead.</summary>
    /// <param name="gateways">The builder.</param>
    [RequiresUnreferencedCode("DataAnnotations validation reflects over the validated types' properties.")]
    public static IGatewaysBuilder AddDataAnnotationsValidation(this IGatewaysBuilder gateways)
    {
        gateways.Services.Replace(ServiceDescriptor.Singleton<IGatewayValidator>(services => new DataAnnotationsGatewayValidator(services)));
        return gateways;
    }
}
