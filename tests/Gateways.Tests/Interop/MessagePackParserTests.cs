using System.Text.Json;
using Gateways.Adapters.Redis;
using Gateways.Tests.Infrastructure;
using Gateways.Tests.Redis;

namespace Gateways.Tests.Interop;

/// <summary>socket.io-msgpack-parser 3.0.2 clients (the real socket.io-client with that parser) beside default-parser
/// clients on one server, on each transport; and in a mixed .NET/Node cluster whose Node server uses that parser.</summary>
public sealed class MessagePackParserTests
{
    [Theory]
    [InlineData("polling")]
    [InlineData("websocket")]
    public async Task MessagePackAndJsonClientsShareOneServerAndOneRoom(string transport)
    {
        await using var server = await InteropServer.StartAsync();

        var result = await NodeScenario.RunAsync("msgpack", server.Url, input: new { transports = new[] { transport } });

        Assert.Equal(transport, result.GetProperty("transport").GetString());
        // Numbers, non-ASCII text, null and nesting come back as sent.
        Assert.Equal("""[{"text":"héllo ✓","half":1.5,"big":1099511627776,"negative":-7,"list":[true,null]},42]""",
            result.GetProperty("echo").GetRawText());
        Assert.Equal("[1,2,3,255]", result.GetProperty("ackBytes").GetRawText());
        Assert.Equal("label", result.GetProperty("ackLabel").GetString());
        Assert.Equal("[9,8,7,255]", result.GetProperty("serverBytes").GetRawText());
        // The server's own emit with an ack, answered by the msgpack client.
        Assert.Equal("""["answer to q1"]""", result.GetProperty("asked").GetRawText());
        // One broadcast, each recipient in its own parser: text and binary.
        Assert.Equal("""[{"from":"json"},{"from":"json"}]""", result.GetProperty("text").GetRawText());
        Assert.Equal("[[7,8],[7,8]]", result.GetProperty("binary").GetRawText());
        Assert.Equal("failed", result.GetProperty("exception").GetProperty("message").GetString());
        var refused = result.GetProperty("refused");
        Assert.Equal("Unauthorized", refused.GetProperty("message").GetString());
        Assert.Equal("""{"hint":"token"}""", refused.GetProperty("data").GetRawText());
    }

    [Theory]
    [InlineData(RedisAdapterMode.Classic)]
    [InlineData(RedisAdapterMode.Streams)]
    public async Task AMixedClusterCarriesBroadcastsBetweenParsers(RedisAdapterMode mode)
    {
        var key = $"gw-{Guid.NewGuid():N}";
        await using var dotnet = await DotNetPeer.StartAsync(key, mode);
        await using var node = await NodePeer.StartAsync(key, mode, parser: "msgpack");

        var result = await NodeScenario.RunAsync("msgpack-cluster", dotnet.Url.ToString().TrimEnd('/'),
            input: new { node = node.Url.ToString().TrimEnd('/'), token = Security.TestTokens.Create("mixed-user") });

        // The .NET server's msgpack client, its JSON client, the Node server's msgpack client.
        Assert.Equal("""[{"from":"node"},{"from":"node"},{"from":"node"}]""", result.GetProperty("fromNode").GetRawText());
        Assert.Equal("""[{"from":".net"},{"from":".net"},{"from":".net"}]""", result.GetProperty("fromDotNet").GetRawText());
        Assert.Equal("[[1,2],[1,2],[1,2]]", result.GetProperty("binaryFromNode").GetRawText());
        Assert.Equal("[[3,4],[3,4],[3,4]]", result.GetProperty("binaryFromDotNet").GetRawText());
    }
}
