using System.ComponentModel;

namespace Gateways.Dispatch;

/// <summary>
/// What generated dispatchers do with a handler's result, with NestJS's meaning: nothing for <see langword="null"/>;
/// an <see cref="IWsResponse"/> is emitted to the sender; any other value is the acknowledgement when the client
/// asked for one; each item of an <see cref="IAsyncEnumerable{T}"/> is handled the same way.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class GatewayResults
{
    /// <summary>Handles a result that is already there.</summary>
    public static ValueTask Complete<T>(GatewayEventContext context, T result)
    {
        Send(context, result);
        return ValueTask.CompletedTask;
    }

    /// <summary>Awaits a <see cref="Task"/> with no result.</summary>
    public static ValueTask Await(Task task) => new(task);

    /// <summary>Awaits a result that is still coming.</summary>
    public static ValueTask Await<T>(GatewayEventContext context, Task<T> task)
    {
        if (task.IsCompletedSuccessfully)
        {
            Send(context, task.Result);
            return ValueTask.CompletedTask;
        }
        return AwaitSlowAsync(context, task);
    }

    /// <summary>Awaits a result that is still coming.</summary>
    public static ValueTask Await<T>(GatewayEventContext context, ValueTask<T> task)
    {
        if (task.IsCompletedSuccessfully)
        {
            Send(context, task.Result);
            return ValueTask.CompletedTask;
        }
        return AwaitSlowAsync(context, task.AsTask());
    }

    /// <summary>Handles each item of a stream as it comes, until the stream ends or the socket goes away.</summary>
    public static async ValueTask Stream<T>(GatewayEventContext context, IAsyncEnumerable<T> items)
    {
        await foreach (var item in items.WithCancellation(context.Disconnected))
        {
            Send(context, item);
        }
    }

    private static async ValueTask AwaitSlowAsync<T>(GatewayEventContext context, Task<T> task) => Send(context, await task);

    private static void Send<T>(GatewayEventContext context, T result)
    {
        switch (result)
        {
            case null:
                return;
            case IWsResponse response:
                context.Socket.Emit(response.Event, response.Data);
                return;
            default:
                context.Ack(result);
                return;
        }
    }
}
