using Gateways.Adapters;
using Gateways.SocketIO;

namespace Gateways.Namespaces;

/// <summary>An immutable target selection over one namespace; every operation goes through the adapter.</summary>
internal sealed class BroadcastOperator(GatewayNamespace @namespace, BroadcastOptions options) : IBroadcastOperator
{
    public IBroadcastOperator To(string room) =>
        new BroadcastOperator(@namespace, options with { Rooms = With(options.Rooms, room) });

    public IBroadcastOperator To(IEnumerable<string> rooms)
    {
        var set = new HashSet<string>(options.Rooms, StringComparer.Ordinal);
        set.UnionWith(rooms);
        return new BroadcastOperator(@namespace, options with { Rooms = set });
    }

    public IBroadcastOperator Except(string room) =>
        new BroadcastOperator(@namespace, options with { Except = With(options.Except, room) });

    public IBroadcastOperator Volatile => new BroadcastOperator(@namespace, options with { Flags = options.Flags | BroadcastFlags.Volatile });

    public IBroadcastOperator Local => new BroadcastOperator(@namespace, options with { Flags = options.Flags | BroadcastFlags.Local });

    public void Emit(string eventName, params object?[] args)
    {
        using var activity = Internal.GatewaysTracing.StartBroadcast(@namespace.TelemetryName, eventName, options.Rooms.Count, options.Except.Count);
        // A model, encoded by the adapter once, and only if someone (here or on another server) receives it.
        @namespace.Adapter.Broadcast(OutgoingPacket.Event(@namespace.Name, eventName, args, @namespace.SerializerOptions), options);
    }

    public Task<IReadOnlyList<EventArguments>> EmitWithAckAsync(string eventName, TimeSpan timeout, params object?[] args)
    {
        var startedAt = Internal.GatewaysMetrics.BroadcastAckStarting();
        var answers = @namespace.Adapter.BroadcastWithAckAsync(eventName, args, options, Internal.TimerLimits.Clamp(timeout));
        return startedAt == 0 ? answers : MeasuredAsync(answers, startedAt);
    }

    /// <summary>The round trip as the <c>gateways.server.broadcast.ack.duration</c> metric, only while it is listened to.</summary>
    private async Task<IReadOnlyList<EventArguments>> MeasuredAsync(Task<IReadOnlyList<EventArguments>> answers, long startedAt)
    {
        try
        {
            var all = await answers;
            Internal.GatewaysMetrics.BroadcastAckFinished(startedAt, @namespace.TelemetryName, timedOut: false);
            return all;
        }
        catch (TimeoutException)
        {
            Internal.GatewaysMetrics.BroadcastAckFinished(startedAt, @namespace.TelemetryName, timedOut: true);
            throw;
        }
    }

    public void SocketsJoin(string room) => @namespace.Adapter.AddSockets(options, [room]);

    public void SocketsLeave(string room) => @namespace.Adapter.DelSockets(options, [room]);

    public void DisconnectSockets(bool close = false) => @namespace.Adapter.DisconnectSockets(options, close);

    public Task<IReadOnlyList<IGatewaySocket>> FetchSocketsAsync() => @namespace.Adapter.FetchSocketsAsync(options);

    private static HashSet<string> With(IReadOnlySet<string> rooms, string room) =>
        new(rooms, StringComparer.Ordinal) { room };
}
