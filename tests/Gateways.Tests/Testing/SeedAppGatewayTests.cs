using Gateways.Testing;
using Gateways.Tests.Chat;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Gateways.Tests.Testing;

/// <summary>
/// The seed's "Testing WebSockets" test, line for line: a host with the gateway, a client with a token, emit
/// <c>message {text:"Hello"}</c>, expect the echo. One test class, run in-memory and over loopback.
/// </summary>
public abstract class SeedAppGatewayTests
{
    protected abstract Task<GatewayTestClient> ConnectAsync(string userId);

    [Fact]
    public async Task ShouldReceiveMessage()
    {
        await using var client = await ConnectAsync("test-user");

        await client.EmitAsync("message", new { text = "Hello" });
        var echo = await client.WaitForAsync("message");

        Assert.Equal("Hello", echo.GetJson(0).GetProperty("text").GetString());
    }

    [Fact]
    public async Task AcknowledgesAndBroadcastsToTheRoom()
    {
        await using var alice = await ConnectAsync("alice");
        await using var bob = await ConnectAsync("bob");

        Assert.Equal("ok", (await alice.EmitWithAckAsync("joinRoom", new { roomId = "lobby" })).GetJson(0).GetProperty("status").GetString());
        await bob.EmitWithAckAsync("joinRoom", new { roomId = "lobby" });
        var saved = await alice.EmitWithAckAsync("sendMessage", new { roomId = "lobby", text = "hi bob" });
        var received = await bob.WaitForAsync("newMessage", m => m.GetJson(0).GetProperty("text").GetString() == "hi bob");

        Assert.Equal(saved.GetJson(0).GetProperty("id").GetInt64(), received.GetJson(0).GetProperty("id").GetInt64());
        Assert.Equal("alice", received.GetJson(0).GetProperty("userId").GetString());
    }

    [Fact]
    public async Task ARefusedConnectThrowsWithTheMessage()
    {
        var error = await Assert.ThrowsAsync<GatewayConnectException>(ConnectAnonymouslyAsync);

        Assert.Equal("Unauthorized", error.Message);
    }

    protected abstract Task ConnectAnonymouslyAsync();
}

/// <summary>In-memory: the chat app on TestServer through WebApplicationFactory, no port; tokens signed with the
/// app's own JwtBearer key.</summary>
public sealed class SeedAppGatewayInMemoryTests : SeedAppGatewayTests, IClassFixture<SeedAppGatewayInMemoryTests.ChatFactory>
{
    private readonly ChatFactory _factory;

    public SeedAppGatewayInMemoryTests(ChatFactory factory) => _factory = factory;

    protected override Task<GatewayTestClient> ConnectAsync(string userId) =>
        GatewayTestClient.ConnectAsync(_factory.Server, new GatewayTestClientOptions
        {
            Token = GatewayTestTokens.CreateToken(_factory.Services, userId),
        });

    protected override Task ConnectAnonymouslyAsync() => GatewayTestClient.ConnectAsync(_factory.Server);

    public sealed class ChatFactory : WebApplicationFactory<Program>
    {
        private readonly string _database = Path.Combine(Path.GetTempPath(), $"gateways-chat-{Guid.NewGuid():N}.db");

        protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.UseSetting("CHAT_DB", _database);
    }
}

/// <summary>Over loopback: the same tests against the chat app started as a process on Kestrel.</summary>
public sealed class SeedAppGatewayLoopbackTests(ChatSampleFixture chat) : SeedAppGatewayTests, IClassFixture<ChatSampleFixture>
{
    protected override Task<GatewayTestClient> ConnectAsync(string userId) =>
        GatewayTestClient.ConnectAsync(new Uri(chat.Url), new GatewayTestClientOptions { Token = ChatSampleFixture.Token(userId) });

    protected override Task ConnectAnonymouslyAsync() => GatewayTestClient.ConnectAsync(new Uri(chat.Url));
}
