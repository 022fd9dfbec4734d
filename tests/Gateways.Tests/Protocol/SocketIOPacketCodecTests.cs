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
        Assert.True(SocketIOPayloadReader.TryReadEvent(packet.Payload, [], Json, out var parsedName, out var parsedArgs));
        Assert.Equal(eventName, parsedName);
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
        Assert.True(SocketIOPayloadReader.TryReadEvent(packet.Payload, encoded.Attachments!, Json, out _, out var args));
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

    [Fact]
    public void PlaceholderPointingPastTheAttachmentsIsRejected()
    {
        var payload = "[\"x\",{\"_placeholder\":true,\"num\":3}]"u8.ToArray();
        Assert.False(SocketIOPayloadReader.TryReadEvent(payload, [new byte[] { 1 }], Json, out _, out _));
    }

    [Fact]
    public void NonAsciiTextStaysUtf8()
    {
        var encoded = SocketIOPacketWriter.WriteEvent("/", "msg", ["héllo €"], -1, Json);
        Assert.Equal("42[\"msg\",\"héllo €\"]", Encoding.UTF8.GetString(encoded.Text));
    }
}
