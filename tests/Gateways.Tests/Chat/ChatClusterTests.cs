using System.Globalization;
using Gateways.Tests.Infrastructure;

namespace Gateways.Tests.Chat;

/// <summary>Two chat instances on one Redis (WS_REDIS_URL): rooms, notifications and prices span both.</summary>
public sealed class ChatClusterTests : IAsyncLifetime
{
    private ChatSampleFixture? _first;
    private ChatSampleFixture? _second;

    public async Task InitializeAsync()
    {
        var redis = new Dictionary<string, string>
        {
            ["WS_REDIS_URL"] = $"redis://127.0.0.1:{RedisServer.Port.ToString(CultureInfo.InvariantCulture)}",
        };
        _first = new ChatSampleFixture(redis);
        _second = new ChatSampleFixture(redis);
        await Task.WhenAll(_first.InitializeAsync(), _second.InitializeAsync());
    }

    public async Task DisposeAsync()
    {
        await (_first?.DisposeAsync() ?? Task.CompletedTask);
        await (_second?.DisposeAsync() ?? Task.CompletedTask);
    }

    [Fact]
    public async Task RoomsNotificationsAndPricesSpanInstances()
    {
        var r = await NodeScenario.RunAsync("chat-cluster", _first!.Url, input: new
        {
            first = _first.Url,
            second = _second!.Url,
            alice = ChatSampleFixture.Token("alice"),
            bob = ChatSampleFixture.Token("bob"),
        });

        Assert.Equal("hello across instances", r.GetProperty("roomMessage").GetProperty("text").GetString());
        Assert.Equal("""{"title":"Hi","body":"via the first instance"}""", r.GetProperty("notification").GetRawText());
        Assert.Equal("""{"symbol":"ACME","price":3}""", r.GetProperty("price").GetRawText());
    }
}
