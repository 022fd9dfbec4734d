using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Namespaces;

/// <summary>What a namespace's connect middlewares decided about one socket.</summary>
/// <param name="Admitted">Whether the socket may join.</param>
/// <param name="Message">The CONNECT_ERROR message a refused client gets.</param>
/// <param name="Data">The CONNECT_ERROR data, if the refusal carried any.</param>
/// <param name="Failure">The exception of a middleware that failed (logged by the caller), if any.</param>
internal readonly record struct ConnectDecision(bool Admitted, string? Message = null, JsonElement? Data = null, Exception? Failure = null)
{
    public static ConnectDecision Admit { get; } = new(true);
}

/// <summary>
/// Runs a namespace's connect middlewares (socket.io's <c>namespace.use</c>, the gateways' connect authorization) for
/// one socket, in a DI scope of its own, and turns every way they can end into a decision: all called
/// <c>next</c> (admitted), one threw <see cref="ConnectionRefusedException"/> (refused with its message and data), one
/// failed (refused, "Internal server error"), or one returned without calling <c>next</c> (refused: socket.io would
/// leave the client waiting forever).
/// </summary>
internal static class ConnectMiddlewarePipeline
{
    public static async ValueTask<ConnectDecision> RunAsync(GatewayConnectionMiddleware[] middlewares, IGatewaySocket socket,
        IServiceProvider services)
    {
        if (middlewares.Length == 0)
        {
            return ConnectDecision.Admit;
        }
        await using var scope = services.CreateAsyncScope();
        var context = new GatewayConnectContext(socket, scope.ServiceProvider);
        var reached = 0;
        ValueTask Next(int index)
        {
            reached = Math.Max(reached, index);
            return index < middlewares.Length ? middlewares[index](context, () => Next(index + 1)) : ValueTask.CompletedTask;
        }
        try
        {
            await Next(0);
            return reached < middlewares.Length ? new ConnectDecision(false, "Connection refused") : ConnectDecision.Admit;
        }
        catch (ConnectionRefusedException refused)
        {
            return new ConnectDecision(false, refused.Message, refused.ErrorData);
        }
        catch (Exception ex)
        {
            return new ConnectDecision(false, "Internal server error", Failure: ex);
        }
    }
}
