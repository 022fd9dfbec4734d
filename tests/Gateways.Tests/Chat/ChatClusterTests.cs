using System.Globalization;
using Gateways.Tests.Infrastructure;

namespace Gateways.Tests.Chat;

/// <summary>Two chat instances on one Redis (WS_REDIS_URL, with each WS_REDIS_ADAPTER): rooms, notifications and
/// prices span both.</summary>
public sealed class ChatClusterTests
{
    [Theory]
    [InlineData("pubsub")]
    [InlineData("streams")]
    public async Task RoomsNotificationsAndPricesSpanInstances(string adapter)
    {
        var redis = new Dictionary<string, string>
        {
            ["WS_REDIS_URL"] = $"redis://127.0.0.1:{RedisServer.Port.ToString(CultureInfo.InvariantCulture)}",
            ["WS_REDIS_ADAPTER"] = adapter,
        };
        var first = new ChatSampleFixture(redis);
        var second = new ChatSampleFixture(redis);
        try
        {
            await Task.WhenAll(first.InitializeAsync(), second.InitializeAsync());
            await AssertSpanAsync(first, second);
        }
        finally
        {
            await Task.WhenAll(first.DisposeAsync(), second.DisposeAsync());
        }
    }

    private static async Task AssertSpanAsync(ChatSampleFixture first, ChatSampleFixture second)
    {
        var r = await NodeScenario.RunAsync("chat-cluster", first.Url, input: new
        {
            first = first.Url,
            second = second.Url,
            alice = ChatSampleFixture.Token("alice"),
            bob = ChatSampleFixture.Token("bob"),
        });

        Assert.Equal("hello across instances", r.GetProperty("roomMessage").GetProperty("text").GetString());
        Assert.Equal("""{"title":"Hi","body":"via the first instance"}""", r.GetProperty("notification").GetRawText());
        Assert.Equal("""{"symbol":"ACME","price":3}""", r.GetProperty("price").GetRawText());
    }
}
