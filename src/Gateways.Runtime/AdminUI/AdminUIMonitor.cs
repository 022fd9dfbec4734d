using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Threading.Channels;
using Gateways.Namespaces;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateways.AdminUI;

/// <summary>
/// Watches the server for the Admin UI: what happens to sockets, rooms and events goes into one bounded queue and
/// is emitted to the admin namespace (through its adapter, so every page connected to any server of the cluster sees
/// it), and every <see cref="AdminUIOptions.StatsInterval"/> this server's stats go the same way. Nothing on the
/// sockets' paths waits for the page: a hook only enqueues, and a full queue drops.
/// </summary>
internal sealed class AdminUIMonitor : IHostedService, IDisposable
{
    // The framework's own instruments that feed the page's aggregated counts (GatewaysMetrics).
    private const string ActiveConnectionsInstrument = "gateways.server.active_connections";
    private const string ConnectionDurationInstrument = "gateways.server.connection.duration";
    private const string BytesInstrument = "gateways.server.bytes";

    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<AdminUIEvent> _events;
    private readonly AggregatedEvents _aggregated = new();
    private readonly DateTimeOffset _processStarted;
    private readonly CancellationTokenSource _stopping = new();
    private long _dropped;
    private long _failed;
    private int _statsRunning;
    private SocketIOServer? _server;
    private IGatewayServer? _admin;
    private ITimer? _statsTimer;
    private MeterListener? _meters;
    private Task? _pump;

    public AdminUIMonitor(IOptions<AdminUIOptions> options, IServiceProvider services, TimeProvider time,
        ILogger<AdminUIMonitor> logger)
    {
        Options = options.Value;
        _services = services;
        _time = time;
        _logger = logger;
        Mode = Options.Mode ?? (services.GetService<IHostEnvironment>()?.IsDevelopment() == true
            ? AdminUIMode.Development : AdminUIMode.Production);
        ServerId = Options.ServerId ?? $"{Environment.MachineName}#{Environment.ProcessId}";
        Sessions = new AdminUISessions(Options, time);
        _events = Channel.CreateBounded<AdminUIEvent>(new BoundedChannelOptions(Options.MaxQueuedEvents)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        }, _ => Interlocked.Increment(ref _dropped));
        using var process = Process.GetCurrentProcess();
        _processStarted = process.StartTime.ToUniversalTime();
    }

    public AdminUIOptions Options { get; }

    public AdminUIMode Mode { get; }

    /// <summary>Whether every socket, room and event is reported (Development), not only the counts.</summary>
    public bool WatchesEverything => Mode == AdminUIMode.Development;

    public string ServerId { get; }

    public AdminUISessions Sessions { get; }

    /// <summary>One password check at a time: PBKDF2 is slow by design, and a client hammering the login must not
    /// take every core.</summary>
    public SemaphoreSlim Logins { get; } = new(1, 1);

    /// <summary>Sessions created by a login, for the connection handler to hand to their page.</summary>
    public System.Runtime.CompilerServices.ConditionalWeakTable<IGatewaySocket, string> NewSessions { get; } = [];

    /// <summary>Starts the queue's pump, the stats timer and the listener on the framework's meter.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _server = _services.GetRequiredService<SocketIOServer>();
        _admin = _server.Of(Options.NamespaceName);
        _pump = Task.Run(PumpAsync, CancellationToken.None);
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == Internal.GatewaysMetrics.MeterName
                    && instrument.Name is ActiveConnectionsInstrument or ConnectionDurationInstrument or BytesInstrument)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<long>(OnMeasurement);
        _meters.SetMeasurementEventCallback<double>(OnMeasurement);
        _meters.Start();
        _statsTimer = _time.CreateTimer(static state => ((AdminUIMonitor)state!).EmitStats(), this, TimeSpan.Zero, Options.StatsInterval);
        AdminUILog.Started(_logger, Options.NamespaceName, Mode, Options.AllowAnonymous ? "none" : "basic", Options.ReadOnly);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _statsTimer?.Dispose();
        _meters?.Dispose();
        _events.Writer.TryComplete();
        _stopping.Cancel();
        if (_pump is { } pump)
        {
            await pump.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public void Dispose()
    {
        _statsTimer?.Dispose();
        _meters?.Dispose();
        _events.Writer.TryComplete();
        _stopping.Dispose();
        Logins.Dispose();
    }

    public void SocketConnected(IGatewaySocket socket) => Report("socket_connected", () =>
        [AdminUIJson.Build(json => AdminUIJson.WriteSocket(json, socket, socket.Namespace, SerializerOptions)), Now()]);

    public void SocketDisconnected(IGatewaySocket socket, string reason) =>
        Enqueue("socket_disconnected", [socket.Namespace, socket.Id, reason, Now()]);

    public void MembershipChanged(string @namespace, string room, string socketId, bool joined) =>
        Enqueue(joined ? "room_joined" : "room_left", [@namespace, room, socketId, Now()]);

    public void TransportChanged(GatewaySocket socket) => Report("socket_updated", () => [AdminUIJson.Build(json =>
    {
        json.WriteStartObject();
        json.WriteString("id", socket.Id);
        json.WriteString("nsp", socket.Namespace);
        json.WriteString("transport", socket.TransportName);
        json.WriteEndObject();
    })]);

    public void EventReceived(GatewayEventContext context) => Report("event_received", () =>
        [context.Socket.Namespace, context.Socket.Id, AdminUIJson.EventArguments(context.EventName, context.Arguments), Now()]);

    public void EventSent(IGatewaySocket socket, string eventName, EventArguments args) => Report("event_sent", () =>
        [socket.Namespace, socket.Id, AdminUIJson.EventArguments(eventName, args), Now()]);

    /// <summary>The JSON settings of event arguments, for the app's socket data.</summary>
    public JsonSerializerOptions SerializerOptions => (_server ??= _services.GetRequiredService<SocketIOServer>()).SerializerOptions;

    /// <summary>Every socket of every namespace this server has, across the cluster (each namespace's fetch goes
    /// through its adapter), as the page's <c>all_sockets</c>.</summary>
    public async Task<JsonElement> AllSocketsAsync()
    {
        var server = _server ??= _services.GetRequiredService<SocketIOServer>();
        var sockets = new List<(string Namespace, IGatewaySocket Socket)>();
        foreach (var @namespace in server.Namespaces.ToList())
        {
            foreach (var socket in await @namespace.FetchSocketsAsync())
            {
                sockets.Add((@namespace.Name, socket));
            }
        }
        return AdminUIJson.Build(json =>
        {
            json.WriteStartArray();
            foreach (var (name, socket) in sockets)
            {
                AdminUIJson.WriteSocket(json, socket, name, server.SerializerOptions);
            }
            json.WriteEndArray();
        });
    }

    private string Now() => AdminUIJson.Timestamp(_time.GetUtcNow());

    private void Enqueue(string eventName, object?[] args) => _events.Writer.TryWrite(new AdminUIEvent(eventName, args));

    /// <summary>Builds a report on the socket's own path: whatever goes wrong is counted for the stats' warning and
    /// never reaches the socket.</summary>
    private void Report(string eventName, Func<object?[]> build)
    {
        object?[] args;
        try
        {
            args = build();
        }
        catch (Exception ex)
        {
            if (Interlocked.Increment(ref _failed) == 1)
            {
                AdminUILog.EmitFailed(_logger, eventName, ex);
            }
            return;
        }
        Enqueue(eventName, args);
    }

    private async Task PumpAsync()
    {
        try
        {
            await foreach (var item in _events.Reader.ReadAllAsync(_stopping.Token))
            {
                try
                {
                    _admin!.Emit(item.Name, item.Args);
                }
                catch (Exception ex)
                {
                    // Counted and reported with the stats: one bad event must not flood the log.
                    if (Interlocked.Increment(ref _failed) == 1)
                    {
                        AdminUILog.EmitFailed(_logger, item.Name, ex);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void EmitStats()
    {
        if (Interlocked.Exchange(ref _statsRunning, 1) == 1)
        {
            return;
        }
        try
        {
            var server = _server!;
            var now = _time.GetUtcNow();
            var stats = AdminUIJson.Build(json =>
            {
                json.WriteStartObject();
                json.WriteString("serverId", ServerId);
                json.WriteString("hostname", Environment.MachineName);
                json.WriteNumber("pid", Environment.ProcessId);
                json.WriteNumber("uptime", Math.Round((now - _processStarted).TotalSeconds, 3));
                json.WriteNumber("clientsCount", server.Engine?.SessionCount ?? 0);
                json.WriteNumber("pollingClientsCount", server.Engine?.CountPollingSessions() ?? 0);
                json.WriteStartArray("aggregatedEvents");
                _aggregated.Drain(json);
                json.WriteEndArray();
                json.WriteStartArray("namespaces");
                foreach (var @namespace in server.Namespaces)
                {
                    json.WriteStartObject();
                    json.WriteString("name", @namespace.Name);
                    json.WriteNumber("socketsCount", @namespace.LocalSocketCount);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            });
            _admin!.Emit("server_stats", stats);
            var dropped = Interlocked.Exchange(ref _dropped, 0);
            var failed = Interlocked.Exchange(ref _failed, 0);
            if (dropped > 0 || failed > 0)
            {
                AdminUILog.EventsLost(_logger, dropped, failed, Options.MaxQueuedEvents);
            }
        }
        catch (Exception ex)
        {
            AdminUILog.StatsFailed(_logger, ex);
        }
        finally
        {
            Volatile.Write(ref _statsRunning, 0);
        }
    }

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        switch (instrument.Name)
        {
            case ActiveConnectionsInstrument when value > 0:
                _aggregated.Push("rawConnection", null, 1);
                break;
            case BytesInstrument:
                var received = Tag(tags, "network.io.direction") as string == "receive";
                _aggregated.Push(received ? "packetsIn" : "packetsOut", null, 1);
                _aggregated.Push(received ? "bytesIn" : "bytesOut", null, value);
                break;
        }
    }

    private void OnMeasurement(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument.Name == ConnectionDurationInstrument)
        {
            _aggregated.Push("rawDisconnection", Tag(tags, "gateways.close_reason") as string, 1);
        }
    }

    private static object? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value;
            }
        }
        return null;
    }

    private readonly record struct AdminUIEvent(string Name, object?[] Args);

    /// <summary>Counts per second, type and subtype between two stats (the page's <c>aggregatedEvents</c>). Types and
    /// close reasons are fixed sets, so it holds a few entries per second; the cap guards a stalled timer.</summary>
    private sealed class AggregatedEvents
    {
        private const int MaxEntries = 4096;
        private readonly Lock _lock = new();
        private Dictionary<(long Second, string Type, string? SubType), long> _counts = [];

        public void Push(string type, string? subType, long count)
        {
            var second = DateTimeOffset.UtcNow.ToUnixTimeSeconds() * 1000;
            lock (_lock)
            {
                var key = (second, type, subType);
                if (_counts.TryGetValue(key, out var sum))
                {
                    _counts[key] = sum + count;
                }
                else if (_counts.Count < MaxEntries)
                {
                    _counts[key] = count;
                }
            }
        }

        public void Drain(Utf8JsonWriter json)
        {
            Dictionary<(long Second, string Type, string? SubType), long> counts;
            lock (_lock)
            {
                counts = _counts;
                _counts = [];
            }
            foreach (var ((second, type, subType), count) in counts)
            {
                json.WriteStartObject();
                json.WriteNumber("timestamp", second);
                json.WriteString("type", type);
                if (subType is not null)
                {
                    json.WriteString("subType", subType);
                }
                json.WriteNumber("count", count);
                json.WriteEndObject();
            }
        }
    }
}
