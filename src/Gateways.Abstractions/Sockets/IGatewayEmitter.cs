namespace Gateways;

/// <summary>Where events can be sent: a socket (<see cref="IGatewaySocket"/>) or a set of sockets
/// (<see cref="IBroadcastOperator"/>: a namespace, a room, everyone but one).</summary>
public interface IGatewayEmitter
{
    /// <summary>Sends an event to the target's clients. Arguments of type <see cref="byte"/>[] or
    /// <see cref="ReadOnlyMemory{T}"/> of bytes travel as binary attachments.</summary>
    /// <param name="eventName">The event name the clients listen to.</param>
    /// <param name="args">The event arguments, serialized with the configured JSON options.</param>
    void Emit(string eventName, params object?[] args);
}

/// <summary>
/// Typed server-to-client events (in the spirit of SignalR's <c>Hub&lt;T&gt;</c>): declare the events a client gets
/// as an interface marked <see cref="GatewayClientEventsAttribute"/>, and the Gateways source generator implements it
/// with a class whose every method is one <see cref="IGatewayEmitter.Emit"/> call. Then
/// <c>Server.To(room).Typed&lt;IChatClient&gt;().NewMessage(message)</c> is checked by the compiler, and the events
/// appear in the app's generated contracts (TypeScript event maps).
/// </summary>
public static class GatewayClientEvents
{
    /// <summary>The events of <typeparamref name="TClient"/>, sent to <paramref name="target"/>. Costs one small
    /// object besides the emit itself.</summary>
    /// <typeparam name="TClient">An interface marked <see cref="GatewayClientEventsAttribute"/>.</typeparam>
    /// <param name="target">A socket, room, namespace or any other set of sockets.</param>
    /// <exception cref="InvalidOperationException">The generator did not implement <typeparamref name="TClient"/>.</exception>
    public static TClient Typed<TClient>(this IGatewayEmitter target) where TClient : class
    {
        ArgumentNullException.ThrowIfNull(target);
        return Implementation<TClient>.Create is { } create ? create(target)
            : throw new InvalidOperationException(
                $"'{typeof(TClient).FullName}' has no generated implementation: mark it [GatewayClientEvents] in a project the " +
                "Gateways source generator runs for (one that references Gateways.Runtime), and check the build for GW diagnostics.");
    }

    /// <summary>Called by generated code (a module initializer) to register the implementation of an interface.</summary>
    /// <typeparam name="TClient">The interface.</typeparam>
    /// <param name="create">Makes the implementation that sends to a target.</param>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static void Register<TClient>(Func<IGatewayEmitter, TClient> create) where TClient : class =>
        Implementation<TClient>.Create = create ?? throw new ArgumentNullException(nameof(create));

    private static class Implementation<TClient> where TClient : class
    {
        public static Func<IGatewayEmitter, TClient>? Create;
    }
}
