namespace Gateways.Dispatch;

/// <summary>
/// What the runtime needs to know about one handler beyond its invoker: authorization, guards, exception filters and
/// error delivery. The generator fills it from the handler's and its gateway's attributes.
/// </summary>
public sealed class GatewayHandlerMetadata
{
    /// <summary>Creates the metadata; called by generated code.</summary>
    /// <param name="gatewayType">The gateway class.</param>
    /// <param name="methodName">The handler method.</param>
    /// <param name="authorize">The <c>[Authorize]</c> attributes of the gateway and the handler; none when omitted.</param>
    /// <param name="allowAnonymous">Whether <c>[AllowAnonymous]</c> lifts the gateway's authorization for this handler.</param>
    /// <param name="guards">The <see cref="UseGuardsAttribute"/> guard types, gateway's first; none when omitted.</param>
    /// <param name="exceptionFilters">The <see cref="UseFiltersAttribute"/> filter types, handler's first; none when omitted.</param>
    /// <param name="acknowledgeErrors">Whether errors also go to the client's acknowledgement.</param>
    public GatewayHandlerMetadata(Type gatewayType, string methodName, IReadOnlyList<GatewayAuthorizeData>? authorize = null,
        bool allowAnonymous = false, IReadOnlyList<Type>? guards = null, IReadOnlyList<Type>? exceptionFilters = null,
        bool acknowledgeErrors = false)
    {
        GatewayType = gatewayType;
        MethodName = methodName;
        Authorize = authorize ?? [];
        AllowAnonymous = allowAnonymous;
        Guards = guards ?? Type.EmptyTypes;
        ExceptionFilters = exceptionFilters ?? Type.EmptyTypes;
        AcknowledgeErrors = acknowledgeErrors;
    }

    /// <summary>The gateway class.</summary>
    public Type GatewayType { get; }

    /// <summary>The handler method.</summary>
    public string MethodName { get; }

    /// <summary>The <c>[Authorize]</c> attributes of the gateway and the handler; empty when none.</summary>
    public IReadOnlyList<GatewayAuthorizeData> Authorize { get; }

    /// <summary>Whether <c>[AllowAnonymous]</c> lifts the gateway's authorization for this handler.</summary>
    public bool AllowAnonymous { get; }

    /// <summary>The guard types (each an <see cref="IWsGuard"/> registered in DI), gateway's first.</summary>
    public IReadOnlyList<Type> Guards { get; }

    /// <summary>The exception filter types (each an <see cref="IWsExceptionFilter"/> registered in DI), handler's first.</summary>
    public IReadOnlyList<Type> ExceptionFilters { get; }

    /// <summary>Whether an error also answers the client's acknowledgement, when it asked for one.</summary>
    public bool AcknowledgeErrors { get; }
}

/// <summary>One <c>[Authorize]</c> attribute as data: a policy name and/or comma-separated roles.</summary>
/// <param name="Policy">The policy name, or null.</param>
/// <param name="Roles">Comma-separated roles, or null.</param>
public sealed record GatewayAuthorizeData(string? Policy, string? Roles);
