using System.Text;
using BenchmarkDotNet.Attributes;
using Gateways.EngineIO;
using Gateways.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Benchmarks;

/// <summary>
/// One client event through the whole runtime on the <see cref="StandInServer"/>: the Engine.IO frame in, Socket.IO
/// parsing, limits, dispatch to the gateway, the handler, the acknowledgement encoded and handed to the transport. The
/// load test's echo (bench/run.sh) pays this plus Kestrel, WebSocket framing and the kernel; this is the runtime's share.
/// </summary>
[MemoryDiagnoser]
public class EventRoundTripBenchmarks
{
    private readonly byte[] _echo = Encoding.UTF8.GetBytes("427[\"echo-args\",\"0123456789abcdef\"]");
    private readonly byte[] _sendMessage = Encoding.UTF8.GetBytes("42[\"sendMessage\",{\"roomId\":\"r1\",\"text\":\"hello world\"}]");
    private StandInServer _server = null!;
    private EngineIOSession _session = null!;

    [GlobalSetup]
    public void Setup()
    {
        _server = new StandInServer(gateways => gateways.AddGateway<BenchGateway>());
        _session = _server.Connect();
    }

    [GlobalCleanup]
    public void Cleanup() => _server.Dispose();

    [Benchmark(Description = "echo: event with ack in, ack with the arguments out")]
    public long Echo()
    {
        StandInServer.Receive(_session, _echo);
        return _server.BytesWritten;
    }

    [Benchmark(Description = "event bound to a [MessageBody] DTO, no ack")]
    public long SendMessage()
    {
        StandInServer.Receive(_session, _sendMessage);
        return _server.BytesWritten;
    }
}
