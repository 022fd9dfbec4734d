using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Gateways.Benchmarks;

/// <summary>
/// A room broadcast on a server with the classic Redis adapter and nobody in the room locally: what the sender pays
/// to publish it — the payload serialized once, the adapter's message built around it, StackExchange.Redis's
/// fire-and-forget enqueue. Needs a redis-server: <c>GATEWAYS_BENCH_REDIS_PORT</c> (default 6379) on loopback.
/// </summary>
[MemoryDiagnoser]
public class RedisPublishBenchmarks
{
    private const string Room = "general";
    private readonly object?[] _message = [new SendMessageDto("general", "Hello from Alice, how is everyone today?")];
    private readonly object?[] _photo = [new byte[1024], "photo.png"];
    private StandInServer _server = null!;

    [GlobalSetup]
    public void Setup()
    {
        var endpoint = $"127.0.0.1:{Environment.GetEnvironmentVariable("GATEWAYS_BENCH_REDIS_PORT") ?? "6379"}";
        _server = new StandInServer(gateways => gateways.AddRedisAdapter(endpoint));
        // Proves the publish path reaches Redis before anything is measured (a broadcast to an unreachable Redis is
        // dropped quietly by design, and would measure nothing).
        using var probe = ConnectionMultiplexer.Connect(endpoint);
        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        probe.GetSubscriber().Subscribe(RedisChannel.Pattern($"socket.io#/#{Room}#"), (_, _) => heard.TrySetResult());
        for (var attempt = 0; attempt < 50 && !heard.Task.IsCompleted; attempt++)
        {
            _server.Root.To(Room).Emit("message", _message);
            heard.Task.Wait(TimeSpan.FromMilliseconds(100));
        }
        if (!heard.Task.IsCompleted)
        {
            throw new InvalidOperationException($"No broadcast reached the redis-server at {endpoint}.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _server.Dispose();

    [Benchmark(Description = "Redis publish of a room broadcast (a DTO)")]
    public void PublishDto() => _server.Root.To(Room).Emit("message", _message);

    [Benchmark(Description = "Redis publish of a room broadcast (1 KB binary + a string)")]
    public void PublishBinary() => _server.Root.To(Room).Emit("photo", _photo);
}
