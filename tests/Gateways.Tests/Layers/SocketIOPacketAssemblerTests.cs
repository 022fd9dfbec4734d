using System.Text;
using Gateways.EngineIO;
using Gateways.SocketIO;

namespace Gateways.Tests.Layers;

/// <summary>Binary reassembly and its limits alone, without a server or a client: the Engine.IO messages one
/// connection sends, in order, and what the assembler makes of them.</summary>
public sealed class SocketIOPacketAssemblerTests
{
    private static SocketIOPacketAssembler Create(int maxAttachments = 2, long maxPacketBytes = 1024)
    {
        var namespaces = new NamespaceNameTable();
        namespaces.Add("/");
        namespaces.Add("/chat");
        return new SocketIOPacketAssembler(namespaces, maxAttachments, maxPacketBytes);
    }

    private static EngineIOMessage Text(string text) => new(Encoding.UTF8.GetBytes(text), IsBinary: false);

    private static EngineIOMessage Binary(params byte[] data) => new(data, IsBinary: true);

    [Fact]
    public void ATextPacketIsCompleteAtOnce()
    {
        var assembler = Create();

        var result = assembler.Accept(Text("""2/chat,7["hi",1]"""), out var packet, out var attachments, out var error);

        Assert.Equal(AssemblyResult.Complete, result);
        Assert.Null(error);
        Assert.Equal((SocketIOPacketType.Event, "/chat", 7L, 0), (packet.Type, packet.Namespace, packet.AckId, packet.AttachmentCount));
        Assert.Empty(attachments);
        Assert.False(assembler.IsWaiting);
    }

    [Fact]
    public void ABinaryPacketWaitsForEachAnnouncedAttachmentAndKeepsTheirOrder()
    {
        var assembler = Create();

        Assert.Equal(AssemblyResult.Pending, assembler.Accept(
            Text("""52-["up",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"""), out _, out _, out _));
        Assert.True(assembler.IsWaiting);
        Assert.Equal(AssemblyResult.Pending, assembler.Accept(Binary(1, 2), out _, out _, out _));
        Assert.Equal((1, 2), (assembler.ReceivedAttachments, assembler.ExpectedAttachments));
        var result = assembler.Accept(Binary(3), out var packet, out var attachments, out _);

        Assert.Equal(AssemblyResult.Complete, result);
        Assert.Equal((SocketIOPacketType.BinaryEvent, "/", 2), (packet.Type, packet.Namespace, packet.AttachmentCount));
        Assert.Equal([[1, 2], [3]], attachments.Select(a => a.ToArray()));
        Assert.False(assembler.IsWaiting);
        // The next packet starts afresh.
        Assert.Equal(AssemblyResult.Complete, assembler.Accept(Text("""2["next"]"""), out _, out _, out _));
    }

    [Theory]
    [InlineData("a binary frame arrived without a binary packet announcing it", new string[0], true)]
    [InlineData("a text packet arrived while binary attachments were expected", new[] { """51-["up",{"_placeholder":true,"num":0}]""", """2["hi"]""" }, false)]
    [InlineData("3 attachments announced, more than the limit of 2", new[] { """53-["up",{"_placeholder":true,"num":0}]""" }, false)]
    public void AStreamOutOfOrderOrOverTheLimitIsInvalid(string expected, string[] texts, bool thenBinary)
    {
        var assembler = Create();
        var result = AssemblyResult.Complete;
        string? error = null;
        foreach (var text in texts)
        {
            result = assembler.Accept(Text(text), out _, out _, out error);
        }
        if (thenBinary)
        {
            result = assembler.Accept(Binary(1), out _, out _, out error);
        }

        Assert.Equal(AssemblyResult.Invalid, result);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void ABinaryPacketCountsAsAWholeAgainstMaxPayload()
    {
        var assembler = Create(maxAttachments: 4, maxPacketBytes: 64);
        var header = """53-["up",{"_placeholder":true,"num":0}]"""; // 39 bytes

        Assert.Equal(AssemblyResult.Pending, assembler.Accept(Text(header), out _, out _, out _));
        Assert.Equal(AssemblyResult.Pending, assembler.Accept(Binary(new byte[20]), out _, out _, out _));
        var result = assembler.Accept(Binary(new byte[20]), out _, out _, out var error);

        Assert.Equal(AssemblyResult.Invalid, result);
        Assert.Equal("a binary packet of more than 64 bytes (maxPayload)", error);
    }

    [Fact]
    public void AMalformedPacketIsInvalidWithTheParsersReason()
    {
        var result = Create().Accept(Text("9nonsense"), out _, out _, out var error);

        Assert.Equal(AssemblyResult.Invalid, result);
        Assert.False(string.IsNullOrEmpty(error));
    }
}
