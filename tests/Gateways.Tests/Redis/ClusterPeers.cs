using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateways.Adapters.Redis;
using Gateways.Hosting;
using Gateways.Namespaces;
using Gateways.Tests.Infrastructure;
using Gateways.Tests.Interop;
using Gateways.Tests.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Tests.Redis;

/// <summary>Which sockets a cluster operation targets: those in any of <paramref name="Rooms"/> (all when empty),
/// minus those in any of <paramref name="Except"/>.</summary>
public sealed record Target(string[] Rooms, string[] Except)
{
    public static Target All { get; } = new([], []);

    public static Target To(params string[] rooms) => new(rooms, []);

    public static Target AllExcept(params string[] rooms) => new([], rooms);

    public override string ToString() => $"to [{string.Join(',', Rooms)}] except [{string.Join(',', Except)}]";
}

public sealed record FetchedSocket(string Id, string[] Rooms, string? UserId);

/// <summary>One server of a test cluster, driven from the test: a .NET server in this process or a Node socket.io
/// server with @socket.io/redis-adapter in its own. Both listen to the server-side events "note" (recorded),
/// "ping-servers" (answers "{kind} got {arg}") and "slow" (answers after 3 s); the .NET one also to "boom" (throws).</summary>
public interface IClusterPeer : IAsyncDisposable
{
    string Kind { get; }

    Uri Url { get; }

    Task EmitAsync(Target target, string eventName, object? arg);

    /// <summary>The app's way to reach one user: <see cref="IGatewayBroadcaster.SendToUser"/> on .NET, the user's room
    /// in Node.</summary>
    Task SendToUserAsync(string userId, string eventName, object? data);

    Task<IReadOnlyList<FetchedSocket>> FetchAsync(Target target);

    Task JoinAsync(Target target, string room);

    Task LeaveAsync(Target target, string room);

    Task DisconnectAsync(Target target);

    Task<IReadOnlyList<string?>> BroadcastWithAckAsync(Target target, string eventName, string arg, TimeSpan timeout);

    Task ServerSideEmitAsync(string eventName, params object?[] args);

    /// <exception cref="TimeoutException">Some server did not answer in time.</exception>
    Task<IReadOnlyList<string?>> ServerSideEmitWithAckAsync(string eventName, string arg, TimeSpan timeout);

    /// <summary>The arguments of every "note" server-side event received, as JSON arrays.</summary>
    Task<IReadOnlyList<string>> ServerEventsAsync();

    Task<int> ServerCountAsync();
}

public static class ClusterPeers
{
    public static Task<IClusterPeer> StartAsync(string kind, string key, RedisAdapterMode mode) => kind switch
    {
        "dotnet" => DotNetPeer.StartAsync(key, mode),
        "node" => NodePeer.StartAsync(key, mode),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Waits until every peer counts the whole cluster (Redis counts the subscribers of the main channel).</summary>
    public static async Task WaitForClusterAsync(params IClusterPeer[] peers)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var counts = await Task.WhenAll(peers.Select(p => p.ServerCountAsync()));
            if (counts.All(c => c == peers.Length))
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The cluster never formed: server counts {string.Join(", ", counts)}.");
            }
            await Task.Delay(100);
        }
    }
}

/// <summary>A .NET server with JWT authentication (users join their user-id rooms) and the Redis adapter.</summary>
public sealed class DotNetPeer : IClusterPeer
{
    private readonly TestGatewayServer _server;
    private readonly IGatewayServer _io;
    private readonly List<string> _serverEvents = [];

    private DotNetPeer(TestGatewayServer server)
    {
        _server = server;
        _io = server.Services.GetRequiredService<SocketIOServer>().Of("/");
        _io.OnServerSideEmit("note", args =>
        {
            lock (_serverEvents)
            {
                _serverEvents.Add(JsonSerializer.Serialize(args.ToArray().Select(a => a is JsonElement e ? e : JsonSerializer.SerializeToElement(a))));
            }
            return ValueTask.FromResult<object?>(null);
        });
        _io.OnServerSideEmit("ping-servers", args => ValueTask.FromResult<object?>($"dotnet got {args.Get<string>(0)}"));
        _io.OnServerSideEmit("boom", _ => throw new InvalidOperationException("the listener failed"));
        _io.OnServerSideEmit("slow", async _ =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            return "too late";
        });
    }

    public string Kind => "dotnet";

    public Uri Url => new(_server.Url);

    public TestGatewayServer Server => _server;

    public static async Task<IClusterPeer> StartAsync(string key, RedisAdapterMode mode)
    {
        var server = await TestGatewayServer.StartAsync(gateways =>
        {
            gateways.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
                .AddJwtBearer(jwt =>
                {
                    jwt.MapInboundClaims = false;
                    jwt.TokenValidationParameters = TestTokens.ValidationParameters;
                });
            gateways.AddJwtAuthentication();
            InteropServer.Configure(gateways);
            gateways.AddRedisAdapter(options =>
            {
                options.Configuration = RedisServer.Configuration;
                options.Key = key;
                options.Mode = mode;
                options.StreamName = key; // one stream per test, as the Node peer's
            });
        });
        return new DotNetPeer(server);
    }

    private IBroadcastOperator Select(Target target)
    {
        IBroadcastOperator selected = _io;
        if (target.Rooms.Length > 0)
        {
            selected = selected.To(target.Rooms);
        }
        foreach (var room in target.Except)
        {
            selected = selected.Except(room);
        }
        return selected;
    }

    public Task EmitAsync(Target target, string eventName, object? arg)
    {
        Select(target).Emit(eventName, arg);
        return Task.CompletedTask;
    }

    public Task SendToUserAsync(string userId, string eventName, object? data)
    {
        _server.Services.GetRequiredService<IGatewayBroadcaster>().SendToUser(userId, eventName, data);
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<FetchedSocket>> FetchAsync(Target target) =>
        [.. (await Select(target).FetchSocketsAsync()).Select(s => new FetchedSocket(s.Id, [.. s.Rooms], s.UserId))];

    public Task JoinAsync(Target target, string room)
    {
        Select(target).SocketsJoin(room);
        return Task.CompletedTask;
    }

    public Task LeaveAsync(Target target, string room)
    {
        Select(target).SocketsLeave(room);
        return Task.CompletedTask;
    }

    public Task DisconnectAsync(Target target)
    {
        Select(target).DisconnectSockets(close: true);
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<string?>> BroadcastWithAckAsync(Target target, string eventName, string arg, TimeSpan timeout) =>
        [.. (await Select(target).EmitWithAckAsync(eventName, timeout, arg)).Select(a => a.Get<string>(0))];

    public Task ServerSideEmitAsync(string eventName, params object?[] args)
    {
        _io.ServerSideEmit(eventName, args);
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<string?>> ServerSideEmitWithAckAsync(string eventName, string arg, TimeSpan timeout) =>
        [.. (await _io.ServerSideEmitWithAckAsync(eventName, timeout, arg)).Select(a => a.Get<string>(0))];

    public Task<IReadOnlyList<string>> ServerEventsAsync()
    {
        lock (_serverEvents)
        {
            return Task.FromResult<IReadOnlyList<string>>([.. _serverEvents]);
        }
    }

    public Task<int> ServerCountAsync() =>
        ((RedisClusterAdapter)((GatewayNamespace)_io).Adapter).ServerCountAsync();

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

/// <summary>Node's socket.io 4.8 with @socket.io/redis-adapter 8.3 (tests/node/redis-peer.mjs), driven over HTTP.</summary>
public sealed class NodePeer : IClusterPeer
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(20) };
    private readonly Process _process;
    private readonly StringBuilder _output;
    private readonly int _port;

    private NodePeer(Process process, StringBuilder output, int port)
    {
        _process = process;
        _output = output;
        _port = port;
    }

    public string Kind => "node";

    public Uri Url => new($"http://127.0.0.1:{_port}");

    /// <param name="key">The adapter's key.</param>
    /// <param name="mode">The adapter.</param>
    /// <param name="parser">"msgpack" for socket.io-msgpack-parser; the default parser otherwise.</param>
    public static async Task<IClusterPeer> StartAsync(string key, RedisAdapterMode mode, string parser = "default")
    {
        var port = ProcessRunner.FreePort();
        var process = ProcessRunner.Start("node", ["redis-peer.mjs"], RepositoryPaths.NodeTests, new Dictionary<string, string>
        {
            ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["REDIS_PORT"] = RedisServer.Port.ToString(CultureInfo.InvariantCulture),
            ["KEY"] = key,
            ["MODE"] = mode.ToString().ToLowerInvariant(),
            ["PARSER"] = parser,
        }, out var output);
        await ProcessRunner.WaitForPortAsync(port, process, output, TimeSpan.FromSeconds(20));
        return new NodePeer(process, output, port);
    }

    private async Task<JsonElement> ControlAsync(object request)
    {
        using var response = await Http.PostAsJsonAsync(new Uri(Url, "/control"), request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The Node peer failed {JsonSerializer.Serialize(request)}: {text}\n{_output}");
        }
        return JsonElement.Parse(text);
    }

    public Task EmitAsync(Target target, string eventName, object? arg) => arg is byte[] bytes
        ? ControlAsync(new { op = "emit", rooms = target.Rooms, except = target.Except, @event = eventName, args = new[] { bytes.Select(b => (int)b) }, binary = true })
        : ControlAsync(new { op = "emit", rooms = target.Rooms, except = target.Except, @event = eventName, args = new[] { arg } });

    public Task SendToUserAsync(string userId, string eventName, object? data) => EmitAsync(Target.To(userId), eventName, data);

    public async Task<IReadOnlyList<FetchedSocket>> FetchAsync(Target target) =>
        [.. (await ControlAsync(new { op = "fetch", rooms = target.Rooms, except = target.Except })).EnumerateArray().Select(s => new FetchedSocket(
            s.GetProperty("id").GetString()!,
            [.. s.GetProperty("rooms").EnumerateArray().Select(r => r.GetString()!)],
            s.GetProperty("userId").GetString()))];

    public Task JoinAsync(Target target, string room) => ControlAsync(new { op = "join", rooms = target.Rooms, except = target.Except, room });

    public Task LeaveAsync(Target target, string room) => ControlAsync(new { op = "leave", rooms = target.Rooms, except = target.Except, room });

    public Task DisconnectAsync(Target target) => ControlAsync(new { op = "disconnect", rooms = target.Rooms, except = target.Except });

    public async Task<IReadOnlyList<string?>> BroadcastWithAckAsync(Target target, string eventName, string arg, TimeSpan timeout) =>
        Answers(await ControlAsync(new { op = "broadcastWithAck", rooms = target.Rooms, except = target.Except, @event = eventName, args = new[] { arg }, timeout = timeout.TotalMilliseconds }));

    public Task ServerSideEmitAsync(string eventName, params object?[] args) => ControlAsync(new { op = "serverSideEmit", @event = eventName, args });

    public async Task<IReadOnlyList<string?>> ServerSideEmitWithAckAsync(string eventName, string arg, TimeSpan timeout) =>
        Answers(await ControlAsync(new { op = "serverSideEmitWithAck", @event = eventName, args = new[] { arg } }));

    private static string?[] Answers(JsonElement result) => result.TryGetProperty("error", out var error)
        ? throw new TimeoutException(error.GetString())
        : [.. result.GetProperty("answers").EnumerateArray().Select(a => a.ValueKind == JsonValueKind.String ? a.GetString() : a.GetRawText())];

    public async Task<IReadOnlyList<string>> ServerEventsAsync() =>
        [.. (await ControlAsync(new { op = "serverEvents" })).EnumerateArray().Select(e => e.GetRawText())];

    public async Task<int> ServerCountAsync() => (await ControlAsync(new { op = "serverCount" })).GetInt32();

    public ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
