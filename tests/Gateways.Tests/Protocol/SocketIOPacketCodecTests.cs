using System.Text;
using System.Text.Json;
using Gateways.SocketIO;

namespace Gateways.Tests.Protocol;

/// <summary>Each case pairs a packet with its exact wire text (Socket.IO protocol, "Packet encoding", examples) and is
/// checked both ways: written, then parsed back.</summary>
public sealed class SocketIOPacketCodecTests
{
    private static readonly JsonSerializerOptions Json = new Hosting.GatewaysJsonOptions().SerializerOptions;
    private static readonly NamespaceNameTable Names = CreateNames();

    private static NamespaceNameTable CreateNames()
    {
        var names = new NamespaceNameTable();
        names.Add("/admin");
        return names;
    }

    public static TheoryData<string, string, string, string, object?[], long> Events => new()
    {
        { "event in the main namespace", "42[\"foo\"]", "/", "foo", [], -1 },
        { "event in a custom namespace", "42/admin,[\"bar\"]", "/admin", "bar", [], -1 },
        { "event with an ack id", "4212[\"foo\"]", "/", "foo", [], 12 },
        { "event with arguments", "42[\"foo\",1,\"2\",{\"3\":[true]},null]", "/", "foo", [1, "2", JsonElement.Parse("{\"3\":[true]}"), null], -1 },
        { "custom namespace and ack id", "42/admin,7[\"baz\",\"x\"]", "/admin", "baz", ["x"], 7 },
    };

    [Theory]
    [MemberData(nameof(Events))]
    public void EventsRoundTrip(string name, string wire, string ns, string eventName, object?[] args, long ackId)
    {
        var encoded = SocketIOPacketWriter.WriteEvent(ns, eventName, args, ackId, Json);

        Assert.Equal(wire, Encoding.UTF8.GetString(encoded.Text));
        Assert.Null(encoded.Attachments);
        Assert.True(SocketIOPacketParser.TryParse(encoded.Text.AsMemory(1), Names, out var packet, out var error), $"{name}: {error}");
        Assert.Equal(SocketIOPacketType.Event, packet.Type);
        Assert.Equal(ns, packet.Namespace);
        Assert.Equal(ackId, packet.AckId);
        var parsedArgs = SocketIOPayloadReader.Bind(packet.Payload, packet.Layout, [], Json);
        Assert.Equal(eventName, packet.Layout.EventName);
        // Every argument comes back as the JSON it was written as.
        Assert.Equal(args.Select(a => JsonSerializer.Serialize(a, Json)), Enumerable.Range(0, parsedArgs.Count).Select(i => parsedArgs.GetJson(i).GetRawText()));
    }

    [Fact]
    public void BinaryEventCarriesPlaceholdersAndAttachments()
    {
        var encoded = SocketIOPacketWriter.WriteEvent("/admin", "baz", [new byte[] { 1, 2 }, "mid", new byte[] { 3, 4 }], -1, Json);

        Assert.Equal("452-/admin,[\"baz\",{\"_placeholder\":true,\"num\":0},\"mid\",{\"_placeholder\":true,\"num\":1}]",
            Encoding.UTF8.GetString(encoded.Text));
        Assert.Equal([new byte[] { 1, 2 }, new byte[] { 3, 4 }], encoded.Attachments!.Select(a => a.ToArray()));

        Assert.True(SocketIOPacketParser.TryParse(encoded.Text.AsMemory(1), Names, out var packet, out _));
        Assert.Equal(SocketIOPacketType.BinaryEvent, packet.Type);
        Assert.Equal(2, packet.AttachmentCount);
        var args = SocketIOPayloadReader.Bind(packet.Payload, packet.Layout, encoded.Attachments!, Json);
        Assert.True(args.IsBinary(0));
        Assert.False(args.IsBinary(1));
        Assert.Equal(new byte[] { 3, 4 }, args.Get<byte[]>(2));
        Assert.Equal("mid", args.Get<string>(1));
    }

    [Fact]
    public void BinaryAckWithAckId()
    {
        var encoded = SocketIOPacketWriter.WriteAck("/", 15, ["bar", new byte[] { 1, 2, 3, 4 }], Json);

        Assert.Equal("461-15[\"bar\",{\"_placeholder\":true,\"num\":0}]", Encoding.UTF8.GetString(encoded.Text));
        Assert.True(SocketIOPacketParser.TryParse(encoded.Text.AsMemory(1), Names, out var packet, out _));
        Assert.Equal((SocketIOPacketType.BinaryAck, 15L, 1), (packet.Type, packet.AckId, packet.AttachmentCount));
    }

    [Theory]
    [InlineData("/", "40{\"sid\":\"abc\"}")]
    [InlineData("/admin", "40/admin,{\"sid\":\"abc\"}")]
    public void ConnectAnswerCarriesTheSocketId(string ns, string wire) =>
        Assert.Equal(wire, Encoding.UTF8.GetString(SocketIOPacketWriter.WriteConnect(ns, "abc")));

    [Fact]
    public void ConnectErrorCarriesMessageAndData()
    {
        Assert.Equal("44/random,{\"message\":\"Invalid namespace\"}",
            Encoding.UTF8.GetString(SocketIOPacketWriter.WriteConnectError("/random", "Invalid namespace", null)));
        Assert.Equal("44{\"message\":\"Unauthorized\",\"data\":{\"a\":1}}",
            Encoding.UTF8.GetString(SocketIOPacketWriter.WriteConnectError("/", "Unauthorized", JsonElement.Parse("{\"a\":1}"))));
    }

    [Theory]
    [InlineData("/", "41")]
    [InlineData("/admin", "41/admin,")]
    public void DisconnectNamesItsNamespace(string ns, string wire) =>
        Assert.Equal(wire, Encoding.UTF8.GetString(SocketIOPacketWriter.WriteDisconnect(ns)));

    [Theory]
    [InlineData("0", "/", -1)]
    [InlineData("0/random", "/random", -1)]
    [InlineData("0/custom,{\"token\":\"abc\"}", "/custom", -1)]
    [InlineData("1/admin,", "/admin", -1)]
    [InlineData("3/admin,13[\"bar\"]", "/admin", 13)]
    public void ParsesClientPackets(string wire, string ns, long ackId)
    {
        Assert.True(SocketIOPacketParser.TryParse(Encoding.UTF8.GetBytes(wire), Names, out var packet, out var error), error);
        Assert.Equal(ns, packet.Namespace);
        Assert.Equal(ackId, packet.AckId);
    }

    [Theory]
    [InlineData("", "unknown packet type")]
    [InlineData("abc", "unknown packet type")]
    [InlineData("7", "unknown packet type")]
    [InlineData("2{}", "invalid payload")]
    [InlineData("2abc[\"message\"]", "invalid payload")]
    [InlineData("2[]", "invalid payload")]
    [InlineData("2[\"disconnect\"]", "invalid payload")]
    [InlineData("2[\"ok\"", "invalid payload")]
    [InlineData("2[\"ok\"] x", "invalid payload")]
    [InlineData("0[1]", "invalid payload")]
    [InlineData("1{}", "invalid payload")]
    [InlineData("3{}", "invalid payload")]
    [InlineData("3", "invalid payload")]
    [InlineData("2[{\"a\":1}]", "invalid payload")]
    [InlineData("2[\"ok\",]", "invalid payload")]
    [InlineData("2[\"ok\"][1]", "invalid payload")]
    [InlineData("2[\"ok\",{\"a\":[1}]", "invalid payload")]
    [InlineData("5[\"x\"]", "illegal attachments")]
    [InlineData("5x-[\"x\"]", "illegal attachments")]
    [InlineData("21234567890123456[\"x\"]", "invalid ack id")]
    public void RejectsMalformedPacketsWithTheReason(string wire, string expected)
    {
        Assert.False(SocketIOPacketParser.TryParse(Encoding.UTF8.GetBytes(wire), Names, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void KnownNamespaceNamesAreReusedNotAllocated()
    {
        Assert.True(SocketIOPacketParser.TryParse("2/admin,[\"x\"]"u8.ToArray(), Names, out var packet, out _));
        Assert.Same(Names.GetOrCreate("/admin"u8), packet.Namespace);
    }

    [Theory]
    [InlineData("51-[\"x\",{\"_placeholder\":true,\"num\":3}]")]
    [InlineData("51-[\"x\",{\"a\":[{\"_placeholder\":true,\"num\":1}]}]")]
    [InlineData("51-[\"x\",{\"_placeholder\":true}]")]
    [InlineData("61-[{\"_placeholder\":true,\"num\":-1}]")]
    // A text packet has no attachments for a top-level placeholder to point to.
    [InlineData("2[\"x\",{\"_placeholder\":true,\"num\":0}]")]
    public void PlaceholderPointingPastTheAttachmentsIsRejected(string wire)
    {
        Assert.False(SocketIOPacketParser.TryParse(Encoding.UTF8.GetBytes(wire), Names, out _, out var error));
        Assert.Equal("illegal attachments", error);
    }

    [Fact]
    public void OnePassFindsNameArgumentsDepthAndPlaceholders()
    {
        var wire = "52-[\"up\",{\"_placeholder\":true,\"num\":1},{\"name\":\"a\",\"data\":{\"_placeholder\":true,\"num\":0},\"deep\":[[7]]},\"[{\"]";
        Assert.True(SocketIOPacketParser.TryParse(Encoding.UTF8.GetBytes(wire), Names, out var packet, out var error), error);
        var layout = packet.Layout;
        Assert.Equal("up", layout.EventName);
        Assert.Equal(3, layout.Arguments.Length);
        Assert.Equal([1, -1, -1], layout.Arguments.Select(a => a.AttachmentIndex));
        Assert.Equal(4, layout.Depth);
        Assert.Equal(0, Assert.Single(layout.Nested!).Num);

        var args = SocketIOPayloadReader.Bind(packet.Payload, layout, [new byte[] { 9, 8 }, new byte[] { 7 }], Json);
        Assert.Equal(new byte[] { 7 }, args.GetBinary(0).ToArray());
        var upload = args.GetJson(1);
        Assert.Equal("a", upload.GetProperty("name").GetString());
        Assert.Equal(new byte[] { 9, 8 }, upload.GetProperty("data").GetBytesFromBase64());
        Assert.Equal(7, upload.GetProperty("deep")[0][0].GetInt32());
        Assert.Equal("[{", args.Get<string>(2));
    }

    [Fact]
    public void ManyArgumentsAndANumericEventNameAreRead()
    {
        var values = Enumerable.Range(0, 20).ToArray();
        var wire = "2[42," + string.Join(",", values.Select(v => v % 2 == 0 ? v.ToString() : $"{{\"v\":{v}}}")) + "]";
        Assert.True(SocketIOPacketParser.TryParse(Encoding.UTF8.GetBytes(wire), Names, out var packet, out var error), error);
        Assert.Equal("42", packet.Layout.EventName);
        var args = SocketIOPayloadReader.Bind(packet.Payload, packet.Layout, [], Json);
        Assert.Equal(values, Enumerable.Range(0, args.Count).Select(i => i % 2 == 0 ? args.Get<int>(i) : args.GetJson(i).GetProperty("v").GetInt32()));
        Assert.Equal(2, packet.Layout.Depth);
    }

    [Fact]
    public void NonAsciiTextStaysUtf8()
    {
        var encoded = SocketIOPacketWriter.WriteEvent("/", "msg", ["héllo €"], -1, Json);
        Assert.Equal("42[\"msg\",\"héllo €\"]", Encoding.UTF8.GetString(encoded.Text));
    }
}
