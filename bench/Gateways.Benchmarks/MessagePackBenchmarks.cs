using System.Buffers;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Gateways.Hosting;
using Gateways.SocketIO;

namespace Gateways.Benchmarks;

/// <summary>What a socket.io-msgpack-parser client costs beside a JSON one: decoding its EVENT (map → text form →
/// the one parser) against parsing the same EVENT as text, and the MessagePack form a broadcast derives once for all
/// its MessagePack recipients against the JSON frame every broadcast writes anyway.</summary>
[MemoryDiagnoser]
public class MessagePackBenchmarks
{
    private static readonly JsonSerializerOptions Json = new GatewaysJsonOptions().SerializerOptions;
    private readonly NamespaceNameTable _names = new();
    private readonly byte[] _textEvent = Encoding.UTF8.GetBytes("2[\"sendMessage\",{\"roomId\":\"r1\",\"text\":\"hello world\"}]");
    private readonly byte[] _mapEvent;
    private readonly EncodedPacket _frame;

    public MessagePackBenchmarks()
    {
        var buffer = new ArrayBufferWriter<byte>();
        new MessagePackWriter(buffer).WriteJson(
            """{"type":2,"nsp":"/","data":["sendMessage",{"roomId":"r1","text":"hello world"}]}"""u8, []);
        _mapEvent = buffer.WrittenSpan.ToArray();
        _frame = SocketIOPacketWriter.WriteEvent("/", "newMessage", [new SendMessageDto("r1", "hello world")], -1, Json);
    }

    [Benchmark(Baseline = true, Description = "parse EVENT (text) + read arguments")]
    public int ParseText()
    {
        SocketIOPacketParser.TryParse(_textEvent, _names, out var packet, out _);
        return SocketIOPayloadReader.Bind(packet.Payload, packet.Layout, [], Json).Count;
    }

    [Benchmark(Description = "decode EVENT (MessagePack) + read arguments")]
    public int DecodeMessagePack()
    {
        MessagePackPacketCodec.TryDecode(_mapEvent, 32, out var text, out var attachments, out _);
        SocketIOPacketParser.TryParse(text, _names, out var packet, out _);
        return SocketIOPayloadReader.Bind(packet.Payload, packet.Layout, attachments, Json).Count;
    }

    [Benchmark(Description = "a broadcast's MessagePack form, from its JSON frame")]
    public int EncodeMessagePack() => MessagePackPacketCodec.Encode(_frame).Length;
}
