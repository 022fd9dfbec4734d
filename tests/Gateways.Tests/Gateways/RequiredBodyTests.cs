using Gateways.Tests.Hardening;
using Gateways.Tests.Security;

namespace Gateways.Tests.Gateways;

/// <summary>A body declared non-nullable must arrive: missing or null is invalid input, answered with the field, and
/// the handler is never called with a null it did not declare (issue #16, item 3).</summary>
public sealed class RequiredBodyTests
{
    [Theory]
    [InlineData("""["upload"]""", "body", "The message body is required.")]
    [InlineData("""["upload",null]""", "body", "The message body is required.")]
    [InlineData("""["rename",{}]""", "name", "The name field is required.")]
    [InlineData("""["rename",{"name":null}]""", "name", "The name field is required.")]
    public async Task AMissingOrNullBodyForANonNullableParameterIsAValidationError(string packet, string field, string message)
    {
        await using var server = await HardeningServer.StartAsync();
        var (client, _) = await HardeningServer.ConnectAsync(server.Url, TestTokens.Create("u1"));
        await using var _ = client;

        await client.SendTextAsync($"42{HardeningServer.Namespace},1{packet}");
        var refusal = await client.ReceiveTextAsync();
        // The handler did not run: no ack for event 1; the next frame is the answer to the echo.
        var next = await HardeningServer.EchoAsync(client, "after", 2);

        Assert.NotNull(refusal);
        Assert.StartsWith("""42/hardening,["exception",{"status":"error","message":"Validation failed: """ + message + "\"", refusal);
        Assert.Contains($$""""errors":{"{{field}}":["{{message}}"]}"""", refusal);
        Assert.Equal("""43/hardening,2["after"]""", next);
        Assert.DoesNotContain(server.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task ANullableBodyMayBeMissing()
    {
        await using var server = await HardeningServer.StartAsync();
        var (client, _) = await HardeningServer.ConnectAsync(server.Url, TestTokens.Create("u1"));
        await using var _ = client;

        await client.SendTextAsync($"42{HardeningServer.Namespace},1[\"optionalUpload\"]");
        Assert.Equal("""43/hardening,1["none"]""", await client.ReceiveTextAsync());
        await client.SendTextAsync($"42{HardeningServer.Namespace},2[\"optionalUpload\",{{\"name\":\"a\"}}]");
        Assert.Equal("""43/hardening,2["got a"]""", await client.ReceiveTextAsync());
    }
}
