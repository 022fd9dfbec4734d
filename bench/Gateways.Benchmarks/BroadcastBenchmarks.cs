using Microsoft.Extensions.DependencyInjection;
using BenchmarkDotNet.Attributes;

namespace Gateways.Benchmarks;

/// <summary>
/// A broadcast to one room of <see cref="Receivers"/> connected sockets on the <see cref="StandInServer"/>: the room
/// lookup, encoding, and each session's send gate and buffer accounting, without the network. The baseline encodes
/// the packet once per receiver, as a loop of socket emits would.
/// </summary>
[MemoryDiagnoser]
public class BroadcastBenchmarks
{
    private const string Room = "bench";
    private readonly object?[] _payload = ["0123456789abcdef"];
    private StandInServer _server = null!;
    private IGatewaySocket[] _sockets = null!;

    [Params(100, 1000, 10000)]
    public int Receivers { get; set; }

    /// <summary>Connection state recovery on: every broadcast is stamped with its offset and stored (in memory), one at a
    /// time per namespace.</summary>
    [Params(false, true)]
    public bool Recovery { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _server = new StandInServer(gateways => gateways.Services.Configure<Hosting.GatewaysOptions>(
            options => options.ConnectionStateRecovery.Enabled = Recovery));
        for (var i = 0; i < Receivers; i++)
        {
            _server.Connect();
        }
        _server.Root.SocketsJoin(Room);
        _sockets = [.. _server.Root.FetchSocketsAsync().GetAwaiter().GetResult()];
        if (_sockets.Length != Receivers)
        {
            throw new InvalidOperationException($"{_sockets.Length} of {Receivers} sockets connected.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _server.Dispose();

    [Benchmark(Description = "room broadcast, encoded once")]
    public long EncodeOnce()
    {
        _server.Root.To(Room).Emit("bcast", _payload);
        return _server.BytesWritten;
    }

    [Benchmark(Description = "broadcast to a room nobody is in")]
    public long EmptyRoom()
    {
        _server.Root.To("nobody").Emit("bcast", _payload);
        return _server.BytesWritten;
    }

    [Benchmark(Baseline = true, Description = "emit to each socket, encoded per socket")]
    public long EncodePerSocket()
    {
        foreach (var socket in _sockets)
        {
            socket.Emit("bcast", _payload);
        }
        return _server.BytesWritten;
    }
}
