using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Gateways.SocketIO;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateways.Adapters.Redis;

/// <summary>
/// What the classic and the sharded Redis adapters share: the connection, this server's <see cref="Uid"/>, requests
/// that wait for the other servers (broadcasts with acknowledgements, server-side emits, fetches), and serving those
/// requests locally. The subclasses own their channels and message envelopes. Delivery across servers is
/// at-most-once, as in socket.io: while Redis is unreachable, local delivery continues and remote sends are dropped.
/// </summary>
public abstract class RedisClusterAdapter : InMemoryGatewayAdapter, IDisposable
{
    private readonly ConcurrentDictionary<string, PendingRequest> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PendingAckRequest> _ackRequests = new(StringComparer.Ordinal);
    private bool _subscribed;

    private protected RedisClusterAdapter(IGatewayAdapterContext context, RedisAdapterConnection redis, RedisAdapterOptions options,
        ILogger logger, string uid)
        : base(context)
    {
        Redis = redis;
        Options = options;
        Logger = logger;
        Uid = uid;
        Names.Add(context.Namespace);
    }

    /// <summary>This server's id in the cluster, as the Node adapters' <c>uid</c>: its own messages are ignored.</summary>
    public string Uid { get; }

    /// <summary>How many servers share this namespace, counted by Redis as the subscribers of its main channel.</summary>
    public abstract Task<int> ServerCountAsync();

    private protected RedisAdapterConnection Redis { get; }

    private protected RedisAdapterOptions Options { get; }

    private protected ILogger Logger { get; }

    private protected NamespaceNameTable Names { get; } = new();

    /// <summary>Whether a request id is one of this server's own (a request this server is waiting on).</summary>
    private protected bool IsOwnRequest(string? requestId) =>
        requestId is not null && (_requests.ContainsKey(requestId) || _ackRequests.ContainsKey(requestId));

    // ---- subscriptions ----

    /// <summary>The namespace's fixed channels and their handlers, subscribed once per namespace and server (the Node
    /// adapters count servers by these subscriptions).</summary>
    private protected abstract IReadOnlyList<(RedisChannel Channel, Action<RedisChannel, RedisValue> Handler)> Channels { get; }

    /// <summary>Subscribes <see cref="Channels"/> now, and again when the connection comes back if Redis was away at
    /// startup (StackExchange.Redis restores every subscription it knows by itself, including those made while Redis
    /// was away, such as a room's channel in sharded mode; only a first subscription that threw needs doing again).
    /// Called at the end of the subclass's constructor.</summary>
    private protected void StartSubscriptions()
    {
        Redis.Restored += Subscribe;
        Subscribe();
    }

    private void Subscribe()
    {
        if (Volatile.Read(ref _subscribed))
        {
            return;
        }
        var subscriber = Redis.Subscriber;
        try
        {
            foreach (var (channel, _) in Channels)
            {
                // Dropping whatever a failed attempt may have left keeps one handler per channel.
                subscriber.Unsubscribe(channel, null, CommandFlags.FireAndForget);
            }
            foreach (var (channel, handler) in Channels)
            {
                subscriber.Subscribe(channel, handler);
            }
            Volatile.Write(ref _subscribed, true);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            RedisAdapterLog.Unreachable(Logger, ex.Message);
        }
    }

    /// <inheritdoc/>
    public virtual void Dispose()
    {
        Redis.Restored -= Subscribe;
        try
        {
            foreach (var (channel, _) in Channels)
            {
                Redis.Subscriber.Unsubscribe(channel, null, CommandFlags.FireAndForget);
            }
        }
        catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
        {
            // Stopping while Redis is away (or its connection already closed): the subscriptions end with it.
        }
    }

    // ---- publishing ----

    private protected void Publish(RedisChannel channel, byte[] message)
    {
        try
        {
            Redis.Subscriber.Publish(channel, message, CommandFlags.FireAndForget);
            Internal.GatewaysMetrics.AdapterPublished(published: true);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // At-most-once across servers: while Redis is away, remote delivery is dropped, local delivery goes on.
            Internal.GatewaysMetrics.AdapterPublished(published: false);
            RedisAdapterLog.Unreachable(Logger, ex.Message);
        }
    }

    private protected async Task<int> CountSubscribersAsync(string command, RedisChannel channel)
    {
        try
        {
            var result = await Redis.Database.ExecuteAsync("PUBSUB", command, channel.ToString());
            var values = (RedisResult[])result!;
            return values.Length == 2 ? (int)values[1] : 1;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            RedisAdapterLog.Unreachable(Logger, ex.Message);
            return 1;
        }
    }

    /// <summary>Runs a message handler; a malformed message is logged and dropped, never thrown into Redis's loop.</summary>
    private protected void Guard(Action work)
    {
        try
        {
            work();
        }
        catch (Exception ex)
        {
            RedisAdapterLog.BadMessage(Logger, Context.Namespace, ex);
        }
    }

    // ---- requests this server makes ----

    /// <summary>Publishes a request with a fresh id and waits for <paramref name="expected"/> answers.</summary>
    private protected async Task<List<(JsonElement Body, List<ReadOnlyMemory<byte>> Attachments)>> RequestAsync(string name, int expected,
        TimeSpan timeout, Action<string> publish)
    {
        timeout = Internal.TimerLimits.Clamp(timeout);
        var requestId = RedisWire.NewId(8);
        var pending = new PendingRequest(expected);
        _requests[requestId] = pending;
        var startedAt = Internal.GatewaysMetrics.AdapterRequestStarting();
        // The metric's kind is the request's first word: "serverSideEmit {event}" must not mint series per event.
        var kind = name.Split(' ')[0];
        try
        {
            publish(requestId);
            var answers = await pending.Completion.Task.WaitAsync(timeout, Context.TimeProvider);
            Internal.GatewaysMetrics.AdapterRequestFinished(startedAt, kind, timedOut: false);
            return answers;
        }
        catch (TimeoutException)
        {
            Internal.GatewaysMetrics.AdapterRequestFinished(startedAt, kind, timedOut: true);
            RedisAdapterLog.RequestTimedOut(Logger, name, pending.Count, expected);
            throw new TimeoutException($"Timed out waiting for '{name}' answers: {pending.Count} of {expected} servers answered within {timeout.TotalMilliseconds} ms.");
        }
        finally
        {
            _requests.TryRemove(requestId, out _);
        }
    }

    /// <summary>An answer to one of this server's requests arrived.</summary>
    private protected void OnRequestAnswer(string requestId, JsonElement body, List<ReadOnlyMemory<byte>> attachments)
    {
        if (_requests.TryGetValue(requestId, out var pending))
        {
            pending.Add(body, attachments);
        }
    }

    /// <summary>Another server says how many of its clients a broadcast with acknowledgements reached.</summary>
    private protected void OnClientCount(string requestId, int count)
    {
        if (_ackRequests.TryGetValue(requestId, out var pending))
        {
            pending.AddClientCount(count);
        }
    }

    /// <summary>Another server relays one client's answer to a broadcast with acknowledgements.</summary>
    private protected void OnClientAnswer(string requestId, JsonElement? answer, List<ReadOnlyMemory<byte>> attachments)
    {
        if (_ackRequests.TryGetValue(requestId, out var pending))
        {
            pending.AddAnswer(ToArguments(answer, attachments));
        }
    }

    /// <summary>The cluster commands that need no answer.</summary>
    private protected enum ClusterCommand
    {
        Join,
        Leave,
        Disconnect,
    }

    /// <summary>Publishes a join, leave or disconnect for the other servers; <paramref name="body"/> writes its fields.</summary>
    private protected abstract void PublishCommand(ClusterCommand command, Action<Utf8JsonWriter> body);

    /// <summary>Publishes a fetch-sockets request; the answers carry a <c>sockets</c> array.</summary>
    private protected abstract void PublishFetch(string requestId, BroadcastOptions options);

    /// <inheritdoc/>
    public override async Task<IReadOnlyList<IGatewaySocket>> FetchSocketsAsync(BroadcastOptions options)
    {
        var sockets = new List<IGatewaySocket>(await base.FetchSocketsAsync(options));
        var servers = await ServerCountAsync();
        if (servers <= 1)
        {
            return sockets;
        }
        var responses = await RequestAsync("fetchSockets", servers - 1, Options.RequestsTimeout, requestId => PublishFetch(requestId, options));
        foreach (var (response, _) in responses)
        {
            if (response.TryGetProperty("sockets", out var remote) && remote.ValueKind == JsonValueKind.Array)
            {
                sockets.AddRange(remote.EnumerateArray().Select(s => new RemoteGatewaySocket(s, Context)));
            }
        }
        return sockets;
    }

    /// <inheritdoc/>
    public override void AddSockets(BroadcastOptions options, IReadOnlyCollection<string> rooms)
    {
        PublishCommand(ClusterCommand.Join, json =>
        {
            RedisWire.WriteOptions(json, "opts", options);
            RedisWire.WriteStrings(json, "rooms", rooms);
        });
        base.AddSockets(options, rooms);
    }

    /// <inheritdoc/>
    public override void DelSockets(BroadcastOptions options, IReadOnlyCollection<string> rooms)
    {
        PublishCommand(ClusterCommand.Leave, json =>
        {
            RedisWire.WriteOptions(json, "opts", options);
            RedisWire.WriteStrings(json, "rooms", rooms);
        });
        base.DelSockets(options, rooms);
    }

    /// <inheritdoc/>
    public override void DisconnectSockets(BroadcastOptions options, bool close)
    {
        PublishCommand(ClusterCommand.Disconnect, json =>
        {
            RedisWire.WriteOptions(json, "opts", options);
            json.WriteBoolean("close", close);
        });
        base.DisconnectSockets(options, close);
    }

    /// <summary>Runs a join, leave or disconnect another server published.</summary>
    private protected void RunCommandLocally(ClusterCommand command, JsonElement body, BroadcastOptions options)
    {
        switch (command)
        {
            case ClusterCommand.Join: base.AddSockets(options, RedisWire.ReadStrings(body, "rooms")); break;
            case ClusterCommand.Leave: base.DelSockets(options, RedisWire.ReadStrings(body, "rooms")); break;
            default: base.DisconnectSockets(options, body.TryGetProperty("close", out var close) && close.ValueKind == JsonValueKind.True); break;
        }
    }

    /// <summary>Writes the local sockets a fetch asked for, as socket.io's remote sockets.</summary>
    private protected void WriteLocalSockets(Utf8JsonWriter json, BroadcastOptions options)
    {
        json.WriteStartArray("sockets");
        foreach (var socket in base.FetchSocketsAsync(options).Result)
        {
            RemoteGatewaySocket.Write(json, socket);
        }
        json.WriteEndArray();
    }

    /// <summary>Writes a relayed answer, <c>null</c> when the client answered nothing.</summary>
    private protected static void WriteAnswer(Utf8JsonWriter json, string name, JsonElement? answer)
    {
        json.WritePropertyName(name);
        if (answer is { } value)
        {
            value.WriteTo(json);
        }
        else
        {
            json.WriteNullValue();
        }
    }

    /// <summary>Publishes a broadcast with acknowledgements: <c>packet</c> is socket.io's packet object as JSON.</summary>
    private protected abstract void PublishBroadcastWithAck(string requestId, byte[] packet, IReadOnlyList<ReadOnlyMemory<byte>>? attachments,
        BroadcastOptions options, TimeSpan timeout);

    /// <summary>Publishes a server-side emit: <c>data</c> is the JSON array <c>[event, ...args]</c>.</summary>
    private protected abstract void PublishServerSideEmit(string? requestId, byte[] data, IReadOnlyList<ReadOnlyMemory<byte>>? attachments);

    /// <inheritdoc/>
    public override async Task<IReadOnlyList<EventArguments>> BroadcastWithAckAsync(string eventName, object?[] args,
        BroadcastOptions options, TimeSpan timeout)
    {
        timeout = Internal.TimerLimits.Clamp(timeout);
        var local = base.BroadcastWithAckAsync(eventName, args, options, timeout);
        var localAwaited = false;
        var requestId = RedisWire.NewId(8);
        try
        {
            var servers = await ServerCountAsync();
            if (servers <= 1)
            {
                localAwaited = true;
                return await local;
            }
            var pending = new PendingAckRequest(servers - 1);
            _ackRequests[requestId] = pending;
            var outgoing = OutgoingPacket.Event(Context.Namespace, eventName, args, Context.SerializerOptions);
            PublishBroadcastWithAck(requestId, PacketJson(outgoing.Type, -1, outgoing.Payload.Span), outgoing.Attachments, options, timeout);
            localAwaited = true;
            var localAnswers = await local;
            var remoteAnswers = await pending.Completion.Task.WaitAsync(timeout, Context.TimeProvider);
            return [.. localAnswers, .. remoteAnswers];
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Not every client acknowledged event '{eventName}' within {timeout.TotalMilliseconds} ms.");
        }
        finally
        {
            _ackRequests.TryRemove(requestId, out _);
            if (!localAwaited)
            {
                // Left behind by a failure before it was awaited: its own fault must not go unobserved.
                _ = local.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                    TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    /// <inheritdoc/>
    public override void ServerSideEmit(string eventName, object?[] args)
    {
        if (EncodeServerSideEmit(eventName, args, out var data, out var attachments))
        {
            PublishServerSideEmit(null, data, attachments);
        }
    }

    /// <inheritdoc/>
    public override async Task<IReadOnlyList<EventArguments>> ServerSideEmitWithAckAsync(string eventName, object?[] args, TimeSpan timeout)
    {
        var others = await ServerCountAsync() - 1;
        if (others <= 0 || !EncodeServerSideEmit(eventName, args, out var data, out var attachments))
        {
            return [];
        }
        var answers = await RequestAsync($"serverSideEmit {eventName}", others, timeout,
            requestId => PublishServerSideEmit(requestId, data, attachments));
        return [.. answers.Select(a => ToArguments(a.Body, a.Attachments))];
    }

    private bool EncodeServerSideEmit(string eventName, object?[] args, out byte[] data, out ReadOnlyMemory<byte>[]? attachments)
    {
        var outgoing = OutgoingPacket.Event(Context.Namespace, eventName, args, Context.SerializerOptions);
        attachments = outgoing.Attachments;
        data = outgoing.Payload.ToArray();
        return true;
    }

    // ---- requests other servers make ----

    /// <summary>Delivers a broadcast from another server to the local targets.</summary>
    /// <param name="packet">socket.io's packet object.</param>
    /// <param name="attachments">Its binary attachments.</param>
    /// <param name="options">Its targets.</param>
    /// <param name="offset">Where the packet is stored for connection state recovery, if it is: an EVENT without
    /// acknowledgement gets it as its last argument.</param>
    /// <param name="onlyIfStored">Deliver only a packet recovery stores (<see cref="IsStored"/>): for this server's
    /// own stream entries read back, since the others (volatile ones) were delivered when they were sent.</param>
    private protected void DeliverLocally(JsonElement packet, List<ReadOnlyMemory<byte>> attachments, BroadcastOptions options,
        string? offset = null, bool onlyIfStored = false)
    {
        if (RedisWire.TryReadPacket(packet, out var nsp, out var type, out var ackId, out var payload) && nsp == Context.Namespace)
        {
            var outgoing = OutgoingPacket.Relayed(type, Context.Namespace, ackId, payload, attachments.Count > 0 ? [.. attachments] : null);
            var stored = IsStored(outgoing, options);
            if (onlyIfStored && !stored)
            {
                return;
            }
            base.Broadcast(offset is not null && stored ? outgoing.WithOffset(offset) : outgoing, options);
        }
    }

    /// <summary>The span of another server's broadcast delivered here, a child of its span when the options carry
    /// trace context (null when nothing listens).</summary>
    private protected System.Diagnostics.Activity? StartRemoteBroadcast(JsonElement opts)
    {
        var (traceParent, traceState) = RedisWire.ReadTraceContext(opts);
        return Internal.GatewaysTracing.StartRemoteBroadcast(Context.TelemetryNamespace, traceParent, traceState);
    }

    /// <summary>Whether recovery stores the packet: an EVENT without acknowledgement, not volatile, with recovery on
    /// (socket.io's rule).</summary>
    private protected bool IsStored(OutgoingPacket packet, BroadcastOptions options) =>
        Context.ConnectionStateRecovery is not null && packet.Type == SocketIOPacketType.Event && packet.AckId < 0
        && !options.IsVolatile;

    /// <summary>Another server broadcasts with acknowledgements: report how many local clients it reaches, then relay
    /// each client's answer (a client that does not answer in time is simply not counted, as in socket.io).</summary>
    private protected async Task ServeBroadcastWithAckAsync(JsonElement packet, List<ReadOnlyMemory<byte>> attachments,
        BroadcastOptions options, TimeSpan timeout, Action<int> reportCount, Action<JsonElement?, IReadOnlyList<ReadOnlyMemory<byte>>> reportAnswer)
    {
        // Started without being awaited (from the subscription): every fault is handled here.
        try
        {
            await ServeBroadcastWithAckCoreAsync(packet, attachments, options, timeout, reportCount, reportAnswer);
        }
        catch (Exception ex)
        {
            RedisAdapterLog.BadMessage(Logger, Context.Namespace, ex);
        }
    }

    private async Task ServeBroadcastWithAckCoreAsync(JsonElement packet, List<ReadOnlyMemory<byte>> attachments,
        BroadcastOptions options, TimeSpan timeout, Action<int> reportCount, Action<JsonElement?, IReadOnlyList<ReadOnlyMemory<byte>>> reportAnswer)
    {
        if (!packet.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            return;
        }
        OutgoingPacket outgoing;
        try
        {
            outgoing = OutgoingPacket.Relayed(SocketIOPacketType.Event, Context.Namespace, Context.NextAckId(),
                System.Text.Encoding.UTF8.GetBytes(data.GetRawText()), attachments.Count > 0 ? [.. attachments] : null);
        }
        catch (FormatException)
        {
            reportCount(0); // the sender does not wait for answers that cannot come; the fault is logged by the caller
            throw;
        }
        if (!IsDeliverable(outgoing))
        {
            // No local client could take it (dropped and logged): report none, so the sender does not wait for
            // answers from here.
            reportCount(0);
            return;
        }
        var targets = await base.FetchSocketsAsync(options);
        reportCount(targets.Count);
        await Task.WhenAll(targets.OfType<IGatewayLocalSocket>().Select(async socket =>
        {
            try
            {
                var answer = await socket.SendWithAckAsync(outgoing, timeout);
                reportAnswer(answer.Count == 0 ? null : answer.GetJson(0), answer.Attachments);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
            }
        }));
    }

    /// <summary>Another server emitted to the servers: run the local listeners and, when it waits, answer with what
    /// the first one returned — or null when nobody listens here, so the sender does not wait for its timeout.</summary>
    private protected async Task ServeServerSideEmitAsync(JsonElement data, List<ReadOnlyMemory<byte>> attachments, Action<byte[]>? answer)
    {
        if (data.ValueKind != JsonValueKind.Array || data.GetArrayLength() == 0 || data[0].ValueKind != JsonValueKind.String)
        {
            return;
        }
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var argument in data.EnumerateArray().Skip(1))
            {
                argument.WriteTo(json);
            }
            json.WriteEndArray();
        }
        SocketIOPayloadReader.TryReadArguments(buffer.WrittenMemory.ToArray(), attachments, Context.SerializerOptions, out var args);
        var eventName = data[0].GetString()!;
        object? result;
        try
        {
            result = (await Context.DispatchServerSideEmitAsync(eventName, args)).Answer;
        }
        catch (Exception ex)
        {
            // Runs detached from Redis's callback: a failing listener is logged, and a waiting sender gets no answer
            // from this server (its timeout says how many answered).
            RedisAdapterLog.ListenerFailed(Logger, eventName, Context.Namespace, ex);
            return;
        }
        if (answer is not null)
        {
            var output = new ArrayBufferWriter<byte>(64);
            using (var json = new Utf8JsonWriter(output))
            {
                SocketIOPacketWriter.WriteValue(json, result, Context.SerializerOptions);
            }
            answer(output.WrittenSpan.ToArray());
        }
    }

    // ---- helpers ----

    private protected byte[] PacketJson(SocketIOPacketType type, long ackId, ReadOnlySpan<byte> payload)
    {
        var buffer = new ArrayBufferWriter<byte>(payload.Length + 64);
        using (var json = new Utf8JsonWriter(buffer))
        {
            RedisWire.WritePacket(json, type, ackId, payload, Context.Namespace);
        }
        return buffer.WrittenSpan.ToArray();
    }

    private EventArguments ToArguments(JsonElement? value, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        var text = value is { ValueKind: not JsonValueKind.Undefined } element ? "[" + element.GetRawText() + "]" : "[]";
        SocketIOPayloadReader.TryReadArguments(System.Text.Encoding.UTF8.GetBytes(text), attachments, Context.SerializerOptions, out var arguments);
        return arguments;
    }

    private sealed class PendingRequest(int expected)
    {
        private readonly List<(JsonElement, List<ReadOnlyMemory<byte>>)> _responses = [];

        public TaskCompletionSource<List<(JsonElement Body, List<ReadOnlyMemory<byte>> Attachments)>> Completion { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count
        {
            get
            {
                lock (_responses)
                {
                    return _responses.Count;
                }
            }
        }

        public void Add(JsonElement body, List<ReadOnlyMemory<byte>> attachments)
        {
            lock (_responses)
            {
                _responses.Add((body, attachments));
                if (_responses.Count >= expected)
                {
                    Completion.TrySetResult([.. _responses]);
                }
            }
        }
    }

    /// <summary>A broadcast with acknowledgements to other servers: done when every server said how many of its clients
    /// were targeted and that many answers arrived.</summary>
    private sealed class PendingAckRequest(int servers)
    {
        private readonly List<EventArguments> _answers = [];
        private int _serversCounted;
        private int _expected;

        public TaskCompletionSource<List<EventArguments>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void AddClientCount(int count)
        {
            lock (_answers)
            {
                _serversCounted++;
                _expected += count;
                TryComplete();
            }
        }

        public void AddAnswer(EventArguments answer)
        {
            lock (_answers)
            {
                _answers.Add(answer);
                TryComplete();
            }
        }

        private void TryComplete()
        {
            if (_serversCounted >= servers && _answers.Count >= _expected)
            {
                Completion.TrySetResult([.. _answers]);
            }
        }
    }
}
