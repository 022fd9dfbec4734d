using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Gateways.Hosting;
using Gateways.SocketIO;
using Gateways.Tests.Infrastructure;
using Gateways.Tests.Interop;
using Microsoft.Extensions.Logging;

namespace Gateways.Tests.Protocol;

/// <summary>socket.io-msgpack-parser's packets at the byte level, over a raw WebSocket: a map per packet, decided by
/// the connection's first packet, and hostile maps closing only their own connection.</summary>
public sealed class MessagePackPacketTests
{
    /// <summary>A packet as socket.io-msgpack-parser writes it, from its JSON look (placeholders become binary).</summary>
    private static byte[] Pack(string json, params byte[][] binaries)
    {
        var buffer = new ArrayBufferWriter<byte>();
        new MessagePackWriter(buffer).WriteJson(Encoding.UTF8.GetBytes(json), [.. binaries.Select(b => (ReadOnlyMemory<byte>)b)]);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The JSON look of a MessagePack packet the server sent; binary values become placeholders.</summary>
    private static string Unpack(byte[] packet, List<ReadOnlyMemory<byte>>? binaries = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            new MessagePackReader(packet).ReadAsJson(json, binaries ?? []);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static async Task<string> ReceivePacketAsync(RawSocketIOClient client, List<ReadOnlyMemory<byte>>? binaries = null)
    {
        var (data, type) = await client.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(WebSocketMessageType.Binary, type);
        return Unpack(data, binaries);
    }

    [Fact]
    public async Task AClientWhoseFirstPacketIsBinaryIsAnsweredInMessagePack()
    {
        await using var server = await InteropServer.StartAsync();
        await using var client = await RawSocketIOClient.ConnectAsync(server.Url);

        await client.SendBinaryAsync(Pack("""{"type":0,"nsp":"/","data":{"token":"x"}}"""));
        var connect = JsonElement.Parse(await ReceivePacketAsync(client));
        Assert.Equal(0, connect.GetProperty("type").GetInt32());
        Assert.Equal("/", connect.GetProperty("nsp").GetString());
        Assert.Equal(20, connect.GetProperty("data").GetProperty("sid").GetString()!.Length);

        // An event with binary inline and an ack id: the ack comes back as one map, its binary inline too.
        await client.SendBinaryAsync(Pack("""{"type":2,"nsp":"/","data":["echo-binary",{"_placeholder":true,"num":0},"tag"],"id":7}""", [5, 6]));
        var received = new Dictionary<string, (string Packet, List<ReadOnlyMemory<byte>> Binaries)>();
        for (var i = 0; i < 2; i++)
        {
            var binaries = new List<ReadOnlyMemory<byte>>();
            var packet = await ReceivePacketAsync(client, binaries);
            received[packet.Contains("\"type\":3", StringComparison.Ordinal) ? "ack" : "event"] = (packet, binaries);
        }
        Assert.Equal("""{"type":3,"nsp":"/","data":[{"_placeholder":true,"num":0},"tag"],"id":7}""", received["ack"].Packet);
        Assert.Equal([5, 6], received["ack"].Binaries.Single().ToArray());
        // The server's own event (type 2, no id): no BINARY_EVENT type, the bytes inline.
        Assert.Equal("""{"type":2,"nsp":"/","data":["bytes",{"_placeholder":true,"num":0}]}""", received["event"].Packet);
        Assert.Equal([9, 8, 7, 255], received["event"].Binaries.Single().ToArray());
    }

    [Theory]
    [InlineData(PacketParser.Json, true)]
    [InlineData(PacketParser.MessagePack, false)]
    public async Task AServerSetToOneParserClosesAConnectionThatSpeaksTheOther(PacketParser parser, bool sendMessagePack)
    {
        await using var server = await InteropServer.StartAsync(options: options => options.Parser = parser);
        await using var client = await RawSocketIOClient.ConnectAsync(server.Url);

        if (sendMessagePack)
        {
            await client.SendBinaryAsync(Pack("""{"type":0,"nsp":"/"}"""));
        }
        else
        {
            await client.SendTextAsync("40");
        }

        Assert.True(await client.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
        Assert.True(server.Logs.Contains(LogLevel.Warning, $"this server accepts the {parser} parser only"));
    }

    public static TheoryData<string, byte[], string> HostilePackets() => new()
    {
        { "truncated", Pack("""{"type":2,"nsp":"/","data":["echo","a long enough string"]}""")[..^5], "malformed MessagePack packet" },
        { "not a map", Pack("""[2,"/",["echo"]]"""), "a MessagePack packet is a map" },
        { "a binary type", Pack("""{"type":5,"nsp":"/","data":["echo"]}"""), "invalid packet type" },
        { "a comma in the namespace", Pack("""{"type":2,"nsp":"/a,1","data":["echo"]}"""), "invalid namespace" },
        { "no namespace", Pack("""{"type":2,"data":["echo"]}"""), "invalid namespace" },
        { "a string id", Pack("""{"type":2,"nsp":"/","data":["echo"],"id":"1"}"""), "invalid packet id" },
        { "nested 40 deep", Pack("""{"type":2,"nsp":"/","data":["echo",""" + new string('[', 40) + new string(']', 40) + "]}"), "malformed MessagePack packet" },
        { "too many binaries", Pack("""{"type":2,"nsp":"/","data":["echo",""" + string.Join(',', Enumerable.Range(0, 11).Select(i => $$"""{"_placeholder":true,"num":{{i}}}""")) + "]}",
            [.. Enumerable.Range(0, 11).Select(_ => new byte[] { 1 })]), "11 binary values, more than the limit of 10" },
        { "binary in a CONNECT", Pack("""{"type":0,"nsp":"/","data":{"k":{"_placeholder":true,"num":0}}}""", [1]), "binary data outside an EVENT or ACK" },
        { "bytes after the map", [.. Pack("""{"type":0,"nsp":"/"}"""), 0xc0], "bytes after the packet" },
    };

    [Theory]
    [MemberData(nameof(HostilePackets))]
    public async Task AHostilePacketClosesOnlyItsOwnConnection(string what, byte[] packet, string logged)
    {
        await using var server = await InteropServer.StartAsync();
        await using var bystander = await RawSocketIOClient.ConnectSocketIOAsync(server.Url);
        await using var client = await RawSocketIOClient.ConnectAsync(server.Url);
        if (what != "binary in a CONNECT")
        {
            await client.SendBinaryAsync(Pack("""{"type":0,"nsp":"/"}"""));
            await ReceivePacketAsync(client);
        }

        await client.SendBinaryAsync(packet);

        Assert.True(await client.WaitForCloseAsync(TimeSpan.FromSeconds(10)), what);
        Assert.True(server.Logs.Contains(LogLevel.Warning, logged), $"{what}: expected a log with '{logged}'");
        Assert.Equal("""431["pong"]""", await bystander.EchoAsync("pong"));
    }

    [Fact]
    public async Task AfterMessagePackATextMessageClosesTheConnection()
    {
        await using var server = await InteropServer.StartAsync();
        await using var client = await RawSocketIOClient.ConnectAsync(server.Url);
        await client.SendBinaryAsync(Pack("""{"type":0,"nsp":"/"}"""));
        await ReceivePacketAsync(client);

        await client.SendTextAsync("""42["echo"]""");

        Assert.True(await client.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
        Assert.True(server.Logs.Contains(LogLevel.Warning, "a text message from a MessagePack client"));
    }
}
