using System.Net.WebSockets;
using Gateways.Tests.Infrastructure;
using Gateways.Tests.Security;
using Microsoft.Extensions.Logging;

namespace Gateways.Tests.Hardening;

/// <summary>Binary packets are bounded as a whole, must complete in time, may only point at attachments they carry,
/// and bind at any depth as socket.io-client sends them.</summary>
public sealed class BinaryPacketTests
{
    [Fact]
    public async Task BinaryDataNestedInAnObjectBindsToTheDtosByteMembers()
    {
        await using var server = await HardeningServer.StartAsync();

        var r = await NodeScenario.RunAsync("upload", server.Url + HardeningServer.Namespace, input: new { token = TestTokens.Create("u1") });

        Assert.Equal("""[{"name":"a.bin","data":"010203","thumbnail":"09","label":"deep","parts":["0405","06"]}]""",
            r.GetProperty("answer").GetRawText());
        Assert.Equal("""[{"name":"plain","data":null,"thumbnail":"","label":null,"parts":null}]""", r.GetProperty("plain").GetRawText());
    }

    public static TheoryData<string> IllegalPlaceholders =>
    [
        """{"_placeholder":true}""",
        """{"_placeholder":true,"num":"0"}""",
        """{"_placeholder":true,"num":1}""",
        """{"_placeholder":true,"num":-1}""",
        """{"_placeholder":true,"num":0.5}""",
        """{"nested":[{"_placeholder":true,"num":7}]}""",
    ];

    [Theory]
    [MemberData(nameof(IllegalPlaceholders))]
    public async Task APlaceholderThatPointsNowhereClosesTheConnection(string placeholder)
    {
        await using var server = await HardeningServer.StartAsync();
        var (client, _) = await HardeningServer.ConnectAsync(server.Url, TestTokens.Create("u1"));
        var (bystander, _) = await HardeningServer.ConnectAsync(server.Url, TestTokens.Create("u2"));
        await using var a = client;
        await using var b = bystander;

        await client.SendTextAsync($"451-{HardeningServer.Namespace},1[\"echo\",{placeholder}]");
        try
        {
            await client.SendBinaryAsync([1, 2, 3]);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The header alone is refused, so the server may have closed (or reset) before the attachment goes out;
            // a reset the client's reader saw first aborts the socket, and the send then reports a cancellation.
        }

        Assert.True(await client.WaitForCloseAsync(TimeSpan.FromSeconds(5)));
        Assert.True(await server.Logs.WaitForAsync(LogLevel.Warning, "illegal attachments", TimeSpan.FromSeconds(2)));
        Assert.NotNull(await HardeningServer.EchoAsync(bystander, "fine", 1));
    }

    [Fact]
    public async Task AttachmentsCountTogetherAgainstMaxPayload()
    {
        await using var server = await HardeningServer.StartAsync(options => options.EngineIO.MaxPayload = 100_000);
        var (client, _) = await HardeningServer.ConnectAsync(server.Url, TestTokens.Create("u1"));
        await using var _ = client;

        // Each attachment is well under maxPayload; the three together are not.
        await client.SendTextAsync($"453-{HardeningServer.Namespace},1[\"echo\",[{{\"_placeholder\":true,\"num\":0}},{{\"_placeholder\":true,\"num\":1}},{{\"_placeholder\":true,\"num\":2}}]]");
        for (var i = 0; i < 3; i++)
        {
            await client.SendBinaryAsync(new byte[40_000]);
        }

        Assert.True(await client.WaitForCloseAsync(TimeSpan.FromSeconds(5)));
        Assert.True(await server.Logs.WaitForAsync(LogLevel.Warning, "(maxPayload)", TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task MoreAttachmentsThanAllowedCloseTheConnection()
    {
        await using var server = await HardeningServer.StartAsync();
        var (client, _) = await HardeningServer.ConnectAsync(server.Url, TestTokens.Create("u1"));
        await using var _ = client;

        await client.SendTextAsync($"4511-{HardeningServer.Namespace},1[\"echo\",{{\"_placeholder\":true,\"num\":0}}]");

        Assert.True(await client.WaitForCloseAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task ABinaryPacketThatNeverCompletesTimesOut()
    {
        await using var server = await HardeningServer.StartAsync(options => options.BinaryPacketTimeout = TimeSpan.FromMilliseconds(500));
        var (client, _) = await HardeningServer.ConnectAsync(server.Url, TestTokens.Create("u1"));
        await using var _ = client;

        await client.SendTextAsync($"452-{HardeningServer.Namespace},1[\"echo\",{{\"_placeholder\":true,\"num\":0}},{{\"_placeholder\":true,\"num\":1}}]");
        await client.SendBinaryAsync([1]);

        Assert.True(await client.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
        Assert.True(server.Logs.Contains(LogLevel.Warning, "left a binary packet incomplete (1 of 2 attachments)"));
    }
}
