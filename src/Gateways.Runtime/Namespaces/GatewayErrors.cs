using System.Text.Json;
using System.Text.Json.Serialization;
using Gateways.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateways.Namespaces;

/// <summary>The body of the <c>exception</c> event, as NestJS sends it:
/// <c>{"status":"error","message":…,"cause":{"pattern":…,"data":…}}</c>, with field errors for validation failures.</summary>
internal sealed record ErrorPayload(
    string Status,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ErrorCause? Cause = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public ErrorPayload(string message) : this("error", message)
    {
    }
}

/// <summary>Which event failed and with what payload.</summary>
internal sealed record ErrorCause(
    string Pattern,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Data);

/// <summary>
/// What happens when a handler fails (NestJS's BaseWsExceptionFilter, plus exception filters): the handler's and the
/// global <see cref="IWsExceptionFilter"/>s get the first say; otherwise a <see cref="WsException"/> reaches the sender
/// as meant and anything else as "Internal server error", logged with the event, namespace, socket and user.
/// </summary>
internal sealed class GatewayErrors(GatewaysOptions options, IReadOnlyList<Type> globalFilters, ILogger logger)
{
    public const string ExceptionEvent = "exception";

    public async ValueTask HandleAsync(EventContext context, Exception exception)
    {
        var metadata = context.Handler;
        if (await TryFiltersAsync(context, exception, metadata?.ExceptionFilters) || await TryFiltersAsync(context, exception, globalFilters))
        {
            return;
        }
        var socket = context.Socket;
        object payload;
        switch (exception)
        {
            case WsException { Error: { } error } ws:
                SocketIOLog.HandlerRefused(logger, context.EventName, socket.Namespace, socket.Id, ws.Message);
                payload = error;
                break;
            case WsValidationException validation:
                SocketIOLog.HandlerRefused(logger, context.EventName, socket.Namespace, socket.Id, validation.Message);
                payload = new ErrorPayload("error", validation.Message, Cause(context), validation.Errors);
                break;
            case WsException ws:
                SocketIOLog.HandlerRefused(logger, context.EventName, socket.Namespace, socket.Id, ws.Message);
                payload = new ErrorPayload("error", ws.Message, Cause(context));
                break;
            default:
                SocketIOLog.HandlerFailed(logger, context.EventName, socket.Namespace, socket.Id, socket.UserId ?? "-", exception);
                payload = new ErrorPayload("error", "Internal server error", Cause(context));
                break;
        }
        socket.Emit(ExceptionEvent, payload);
        if ((options.AcknowledgeErrors || metadata?.AcknowledgeErrors == true) && context.HasAck && !context.Acknowledged)
        {
            context.Ack(payload);
        }
    }

    /// <summary>An error outside any handler (a limit, the rate limit): the same shape, no filters.</summary>
    public void Refuse(GatewaySocket socket, string eventName, EventArguments? arguments, string message) =>
        socket.Emit(ExceptionEvent, new ErrorPayload("error", message,
            options.IncludeErrorCause ? new ErrorCause(eventName, arguments is null ? null : Body(arguments)) : null));

    private ErrorCause? Cause(EventContext context) =>
        options.IncludeErrorCause ? new ErrorCause(context.EventName, Body(context.Arguments)) : null;

    /// <summary>The payload as NestJS's handler saw it: one argument as itself, several as an array, none omitted.</summary>
    private static JsonElement? Body(EventArguments arguments) => arguments.Count switch
    {
        0 => null,
        1 when !arguments.IsBinary(0) => arguments.GetJson(0),
        1 => null,
        _ => SeveralAsArray(arguments),
    };

    /// <summary>Several arguments as one JSON array; a binary argument shows as null (its bytes are not echoed).</summary>
    private static JsonElement SeveralAsArray(EventArguments arguments)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            for (var i = 0; i < arguments.Count; i++)
            {
                if (arguments.IsBinary(i))
                {
                    json.WriteNullValue();
                }
                else
                {
                    json.WriteRawValue(arguments.GetRawJson(i).Span, skipInputValidation: true);
                }
            }
            json.WriteEndArray();
        }
        return JsonElement.Parse(buffer.WrittenSpan);
    }

    private async ValueTask<bool> TryFiltersAsync(EventContext context, Exception exception, IReadOnlyList<Type>? filters)
    {
        if (filters is null)
        {
            return false;
        }
        foreach (var type in filters)
        {
            if (context.Services.GetService(type) is not IWsExceptionFilter filter)
            {
                throw new InvalidOperationException($"Exception filter '{type.FullName}' is not registered as a service.");
            }
            if (await filter.CatchAsync(exception, context))
            {
                return true;
            }
        }
        return false;
    }
}
