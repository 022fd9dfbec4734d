using System.Security.Claims;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Gateways.Tests.Security;

namespace Gateways.Tests.Testing;

/// <summary>The security features as a .NET team tests them, with <see cref="GatewayTestClient"/> and tokens signed
/// by the app's own JwtBearer key (the Node tests in Security/ prove wire compatibility; these prove ergonomics).</summary>
public sealed class SecurityWithTestClientTests : IAsyncLifetime
{
    private TestGatewayServer _server = null!;

    public async Task InitializeAsync() => _server = await SecurityTests.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<GatewayTestClient> ConnectAsync(string? token, string ns = "/") =>
        GatewayTestClient.ConnectAsync(new Uri(_server.Url), new GatewayTestClientOptions { Token = token, Namespace = ns });

    private string Token(string userId, params Claim[] claims) => GatewayTestTokens.CreateToken(_server.Services, userId, claims);

    [Fact]
    public async Task AValidTokenConnectsAndABadOneIsRefusedWithUnauthorized()
    {
        await using var valid = await ConnectAsync(Token("u1"));
        Assert.True(valid.Connected);

        Assert.Equal("Unauthorized", (await Assert.ThrowsAsync<GatewayConnectException>(() => ConnectAsync(null))).Message);
        Assert.Equal("Unauthorized", (await Assert.ThrowsAsync<GatewayConnectException>(() => ConnectAsync(TestTokens.WrongKey("u1")))).Message);
        var expired = GatewayTestTokens.CreateToken(_server.Services, "u1", lifetime: TimeSpan.FromSeconds(-30));
        Assert.Equal("Unauthorized", (await Assert.ThrowsAsync<GatewayConnectException>(() => ConnectAsync(expired))).Message);
    }

    [Fact]
    public async Task AMessageToAUserReachesEveryOneOfItsSockets()
    {
        await using var phone = await ConnectAsync(Token("u1"));
        await using var laptop = await ConnectAsync(Token("u1"));
        await using var other = await ConnectAsync(Token("u2"));

        await other.EmitWithAckAsync("notify-user", new { userId = "u1", text = "hi" });

        Assert.Equal("hi", await phone.WaitForAsync<string>("notification"));
        Assert.Equal("hi", await laptop.WaitForAsync<string>("notification"));
        await Assert.ThrowsAsync<TimeoutException>(() => other.WaitForAsync("notification", timeout: TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task RolesGateHandlersAndNamespaces()
    {
        await using var admin = await ConnectAsync(Token("a1", new Claim("role", "admin")));
        await using var user = await ConnectAsync(Token("u1"));

        Assert.Equal("welcome admin", await admin.EmitWithAckAsync<string>("admin-only"));
        await user.EmitAsync("admin-only");
        Assert.Equal("Forbidden resource", (await user.WaitForAsync("exception")).GetJson(0).GetProperty("message").GetString());
        Assert.Equal("Forbidden resource",
            (await Assert.ThrowsAsync<GatewayConnectException>(() => ConnectAsync(Token("u1"), "/admin"))).Message);
    }

    [Fact]
    public async Task AnInvalidBodyGetsItsFieldErrors()
    {
        await using var client = await ConnectAsync(Token("u1"));

        await client.EmitAsync("create-room", new { name = "", capacity = 500 });
        var error = (await client.WaitForAsync("exception")).GetJson(0);

        Assert.True(error.GetProperty("errors").TryGetProperty("Name", out _));
        Assert.True(error.GetProperty("errors").TryGetProperty("Capacity", out _));
        Assert.Equal("created lobby", await client.EmitWithAckAsync<string>("create-room", new { name = "lobby", capacity = 5 }));
    }
}
