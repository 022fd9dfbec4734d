using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Gateways.Hosting;
using Gateways.SocketIO;

namespace Gateways.Benchmarks;

/// <summary>The packet codec on the hot path: parsing a client EVENT with its arguments, encoding a server EVENT.</summary>
[MemoryDiagnoser]
public class ProtocolBenchmarks
{
    private static readonly JsonSerializerOptions Json = new GatewaysJsonOptions().SerializerOptions;
    private readonly NamespaceNameTable _names = new();
    private readonly byte[] _event = Encoding.UTF8.GetBytes("2[\"sendMessage\",{\"roomId\":\"r1\",\"text\":\"hello world\"}]");
    private readonly object?[] _args = [new SendMessageDto("r1", "hello world")];

    [Benchmark(Description = "parse EVENT + read arguments")]
    public int Parse()
    {
        SocketIOPacketParser.TryParse(_event, _names, out var packet, out _);
        SocketIOPayloadReader.TryReadEvent(packet.Payload, [], Json, out _, out var arguments);
        return arguments.Count;
    }

    [Benchmark(Description = "encode EVENT with a DTO")]
    public int Encode() => SocketIOPacketWriter.WriteEvent("/", "newMessage", _args, -1, Json).Text.Length;
}
