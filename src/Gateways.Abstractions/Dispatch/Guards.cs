using System.Security.Claims;

namespace Gateways;

/// <summary>
/// Applies guards to a gateway or a handler (NestJS's <c>@UseGuards()</c>). Each type implements
/// <see cref="IWsGuard"/> and is resolved from DI (register it, typically as a singleton or scoped service).
/// </summary>
/// <param name="guardTypes">The guard types, run in order.</param>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class UseGuardsAttribute(params Type[] guardTypes) : Attribute
{
    /// <summary>The guard types, run in order.</summary>
    public Type[] GuardTypes { get; } = guardTypes;
}

/// <summary>
/// Decides whether a handler may run for one event (NestJS's <c>CanActivate</c>). Returning false sends the sender the
/// <c>exception</c> event <c>{"status":"error","message":"Forbidden resource"}</c>; throwing <see cref="WsException"/>
/// sends that error instead. The handler is not called either way.
/// </summary>
public interface IWsGuard
{
    /// <summary>Whether the handler may run.</summary>
    /// <param name="context">The event: socket, user, event name and arguments.</param>
    ValueTask<bool> CanActivateAsync(GatewayEventContext context);
}

/// <summary>
/// Handles exceptions of the handlers it applies to (NestJS's exception filters, applied with
/// <see cref="UseFiltersAttribute"/>, or to every handler through <c>AddExceptionFilter&lt;T&gt;()</c>).
/// </summary>
public interface IWsExceptionFilter
{
    /// <summary>Handles <paramref name="exception"/>, typically by emitting to <c>context.Socket</c>.</summary>
    /// <param name="exception">What the handler threw.</param>
    /// <param name="context">The event.</param>
    /// <returns><see langword="true"/> when handled; otherwise the next filter, then the default handling, runs.</returns>
    ValueTask<bool> CatchAsync(Exception exception, GatewayEventContext context);
}

/// <summary>Applies exception filters to a gateway or a handler (NestJS's <c>@UseFilters()</c>); each type implements
/// <see cref="IWsExceptionFilter"/> and is resolved from DI.</summary>
/// <param name="filterTypes">The filter types, tried in order.</param>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class UseFiltersAttribute(params Type[] filterTypes) : Attribute
{
    /// <summary>The filter types, tried in order.</summary>
    public Type[] FilterTypes { get; } = filterTypes;
}

/// <summary>
/// Runs around every handler call, like SignalR's hub filters: logging, metrics, custom policies. Register with
/// <c>AddGatewayFilter&lt;T&gt;()</c>; filters run in registration order, the first outermost.
/// </summary>
public interface IGatewayFilter
{
    /// <summary>Runs the filter; call <paramref name="next"/> to continue to the handler.</summary>
    /// <param name="context">The event.</param>
    /// <param name="next">The rest of the pipeline.</param>
    ValueTask InvokeAsync(GatewayEventContext context, GatewayEventHandler next);
}

/// <summary>Validates bound message bodies; the runtime provides it.</summary>
public interface IGatewayValidator
{
    /// <summary>Whether this validator has metadata for <paramref name="type"/>.</summary>
    /// <param name="type">The body type.</param>
    bool CanValidate(Type type);

    /// <summary>Validates <paramref name="value"/>.</summary>
    /// <param name="value">The bound body.</param>
    /// <param name="errors">Field name → messages, when invalid.</param>
    /// <returns>Whether the value is valid.</returns>
    bool TryValidate(object value, out IReadOnlyDictionary<string, string[]> errors);
}

/// <summary>A body failed validation; the sender receives <c>exception</c> with the readable summary and the field
/// errors.</summary>
public sealed class WsValidationException : WsException
{
    /// <summary>Creates the error.</summary>
    /// <param name="errors">Field name → messages.</param>
    public WsValidationException(IReadOnlyDictionary<string, string[]> errors)
        : base(Summarize(errors)) => Errors = errors;

    /// <summary>Field name → messages.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    private static string Summarize(IReadOnlyDictionary<string, string[]> errors) =>
        "Validation failed: " + string.Join(" ", errors.SelectMany(e => e.Value));
}
