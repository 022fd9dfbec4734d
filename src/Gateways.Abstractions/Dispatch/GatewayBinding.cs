using Microsoft.Extensions.DependencyInjection;
using System.ComponentModel;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Gateways.Dispatch;

/// <summary>Parameter binding used by generated dispatchers. Binding failures become
/// <see cref="MessageBindingException"/>, which the client receives as an <c>exception</c> event.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class GatewayBinding
{
    /// <summary>The whole payload, NestJS-style: one argument as itself, several as an array, none as default.</summary>
    public static T? Body<T>(GatewayEventContext context, JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return context.Arguments.GetBody(typeInfo);
        }
        catch (JsonException ex)
        {
            throw MessageBindingException.For(context, "the message body", ex);
        }
    }

    /// <summary>One property of the first argument, or default when it is missing.</summary>
    public static T? BodyProperty<T>(GatewayEventContext context, string property, JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return context.Arguments.GetProperty(0, property, typeInfo);
        }
        catch (JsonException ex)
        {
            throw MessageBindingException.For(context, $"property '{property}' of the message body", ex);
        }
    }

    /// <summary>The argument at <paramref name="index"/>, or default when there are fewer arguments.</summary>
    public static T? BodyAt<T>(GatewayEventContext context, int index, JsonTypeInfo<T> typeInfo)
    {
        if (index >= context.Arguments.Count)
        {
            return default;
        }
        try
        {
            return context.Arguments.Get(index, typeInfo);
        }
        catch (JsonException ex)
        {
            throw MessageBindingException.For(context, $"argument {index}", ex);
        }
    }

    /// <summary>The whole payload for a parameter declared non-nullable: a missing or <c>null</c> body fails the event
    /// as invalid input (field <c>body</c>), so the handler never sees a null it did not declare.</summary>
    public static T RequiredBody<T>(GatewayEventContext context, JsonTypeInfo<T> typeInfo) =>
        Body(context, typeInfo) ?? throw Missing("body", "The message body is required.");

    /// <summary>One property of the first argument for a parameter declared non-nullable: missing or <c>null</c>
    /// fails the event as invalid input, with that property as the field.</summary>
    public static T RequiredBodyProperty<T>(GatewayEventContext context, string property, JsonTypeInfo<T> typeInfo) =>
        BodyProperty(context, property, typeInfo) ?? throw Missing(property, $"The {property} field is required.");

    /// <summary>The argument at <paramref name="index"/> for a parameter declared non-nullable: missing or
    /// <c>null</c> fails the event as invalid input.</summary>
    public static T RequiredBodyAt<T>(GatewayEventContext context, int index, JsonTypeInfo<T> typeInfo) =>
        BodyAt(context, index, typeInfo) ?? throw Missing($"[{index}]", $"Argument {index} is required.");

    private static WsValidationException Missing(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>The socket's principal; fails the event when there is none and <paramref name="required"/>.</summary>
    public static ClaimsPrincipal? Principal(GatewayEventContext context, bool required) =>
        context.Socket.User ?? (required ? throw new WsException("Unauthorized") : null);

    /// <summary>An app user type built from the socket's principal.</summary>
    public static TUser? User<TUser>(GatewayEventContext context, bool required) where TUser : IWsUser<TUser> =>
        Principal(context, required) is { } principal ? TUser.FromPrincipal(principal) : default;

    /// <summary>Validates a bound body; an invalid one fails the event with its field errors.</summary>
    public static void Validate(IGatewayValidator validator, object? value)
    {
        if (value is not null && !validator.TryValidate(value, out var errors))
        {
            throw new WsValidationException(errors);
        }
    }

    /// <summary>A <c>[FromNamespace]</c> parameter of type string: the value the socket's dynamic namespace took.</summary>
    public static string NamespaceValue(GatewayEventContext context, string name) =>
        context.Socket.NamespaceValues.TryGetValue(name, out var value) ? value
            : throw Missing(name, $"Namespace '{context.Socket.Namespace}' has no value '{name}'.");

    /// <summary>A <c>[FromNamespace]</c> parameter of a type that parses from text; a value that does not parse fails
    /// the event as invalid input.</summary>
    public static T NamespaceValue<T>(GatewayEventContext context, string name) where T : IParsable<T> =>
        T.TryParse(NamespaceValue(context, name), System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed
            : throw Missing(name, $"The {name} value of namespace '{context.Socket.Namespace}' is not a valid {typeof(T).Name}.");

    /// <summary>A <c>[FromServices]</c> parameter: a service from the event's DI scope.</summary>
    public static T Service<T>(GatewayEventContext context) where T : notnull =>
        context.Services.GetRequiredService<T>();

    /// <summary>A <c>[FromKeyedServices(key)]</c> parameter: a keyed service from the event's DI scope.</summary>
    public static T KeyedService<T>(GatewayEventContext context, object? key) where T : notnull =>
        context.Services.GetRequiredKeyedService<T>(key);
}

/// <summary>The payload did not fit a handler's parameter; the client receives an <c>exception</c> event saying which.</summary>
public sealed class MessageBindingException : WsException
{
    private MessageBindingException(string message, Exception inner) : base(message, inner)
    {
    }

    internal static MessageBindingException For(GatewayEventContext context, string what, JsonException inner) =>
        new($"Invalid payload for '{context.EventName}': {what} {Describe(inner)}", inner);

    private static string Describe(JsonException ex) =>
        ex.Path is { Length: > 0 } path ? $"could not be read at '{path}'." : "is not valid for this handler.";
}
