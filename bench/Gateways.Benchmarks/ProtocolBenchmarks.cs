using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Gateways.Hosting;
using Gateways.SocketIO;

namespace Gateways.Benchmarks;

/// <summary>The packet codec on the hot path: parsing a client EVENT with its arguments and binding them, encoding a
/// server EVENT.</summary>
[MemoryDiagnoser]
public class ProtocolBenchmarks
{
    private static readonly JsonSerializerOptions Json = new GatewaysJsonOptions().SerializerOptions;
    private readonly NamespaceNameTable _names = new();
    private readonly byte[] _event = Encoding.UTF8.GetBytes("2[\"sendMessage\",{\"roomId\":\"r1\",\"text\":\"hello world\"}]");
    private readonly byte[] _bigEvent = Encoding.UTF8.GetBytes("2[\"sync\"," + JsonSerializer.Serialize(
        Enumerable.Range(0, 40).Select(i => new SendMessageDto("room-" + i, "a message of some length, number " + i)).ToArray())
        + ",{\"cursor\":{\"page\":3,\"filters\":[[1,2],[3,4]]}}]");
    private readonly object?[] _args = [new SendMessageDto("r1", "hello world")];

    [Benchmark(Description = "parse EVENT + read arguments")]
    public int Parse()
    {
        SocketIOPacketParser.TryParse(_event, _names, out var packet, out _);
        var arguments = SocketIOPayloadReader.Bind(packet.Payload, packet.Layout, [], Json);
        return arguments.Count;
    }

    [Benchmark(Description = "parse EVENT + bind a DTO")]
    public int ParseAndBind()
    {
        SocketIOPacketParser.TryParse(_event, _names, out var packet, out _);
        var arguments = SocketIOPayloadReader.Bind(packet.Payload, packet.Layout, [], Json);
        return arguments.Get<SendMessageDto>(0)!.Text.Length;
    }

    [Benchmark(Description = "parse 3 KB EVENT + bind 40 DTOs")]
    public int ParseAndBindLarge()
    {
        SocketIOPacketParser.TryParse(_bigEvent, _names, out var packet, out _);
        var arguments = SocketIOPayloadReader.Bind(packet.Payload, packet.Layout, [], Json);
        return arguments.Get<SendMessageDto[]>(0)!.Length + arguments.Count;
    }

    [Benchmark(Description = "encode EVENT with a DTO")]
    public int Encode() => SocketIOPacketWriter.WriteEvent("/", "newMessage", _args, -1, Json).Text.Length;
}
