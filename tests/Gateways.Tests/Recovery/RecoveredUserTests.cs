using System.Text.Json;
using Gateways.Adapters.Redis;
using Gateways.Tests.Infrastructure;
using Gateways.Tests.Interop;
using Gateways.Tests.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Tests.Recovery;

/// <summary>A private session id (<c>pid</c>) is not enough to take over another user's socket where the user is
/// authenticated again: in memory with <c>SkipMiddlewares = false</c>, and always for a session kept in Redis (which
/// stores the user's id, not its principal). The session's own user, with its own token, gets its socket back.</summary>
public sealed class RecoveredUserTests
{
    [Theory]
    [InlineData("memory")]
    [InlineData("streams")]
    public async Task APidPresentedWithAnotherUsersTokenIsRefusedAndTheOwnerRecovers(string store)
    {
        await using var server = await StartAsync(store);

        var (lost, lostIds) = await ConnectAsync(server, TestTokens.Create("alice"));
        await lost.DisposeAsync(); // no close handshake: the server sees the transport go
        // Time to see it go and keep the session (in Redis, for the streams store) on a loaded machine.
        await Task.Delay(1000);
        var stolen = await RawSocketIOClient.ConnectAsync(server.Url);
        await using var _ = stolen;
        await stolen.SendTextAsync($$"""40{"token":"{{TestTokens.Create("mallory")}}","pid":"{{lostIds.Pid}}"}""");
        Assert.Equal("""44{"message":"Invalid session"}""", await stolen.ReceiveTextAsync());

        var (dropped, droppedIds) = await ConnectAsync(server, TestTokens.Create("alice"));
        await dropped.DisposeAsync();
        await Task.Delay(1000);
        var (back, backIds) = await ConnectAsync(server, TestTokens.Create("alice"), droppedIds.Pid);
        await using var __ = back;
        Assert.Equal(droppedIds.Sid, backIds.Sid);
        await back.SendTextAsync("421[\"whoami-user\"]");
        Assert.Equal("""431["alice"]""", await back.ReceiveTextAsync());
    }

    private static Task<TestGatewayServer> StartAsync(string store) => TestGatewayServer.StartAsync(gateways =>
    {
        gateways.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(jwt =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = TestTokens.ValidationParameters;
            });
        gateways.AddJwtAuthentication();
        InteropServer.Configure(gateways);
        gateways.AddNamespace("/", ns => ns.On("whoami-user", context => context.Ack(context.Socket.UserId)));
        if (store == "streams")
        {
            var key = $"gw-{Guid.NewGuid():N}";
            gateways.AddRedisAdapter(options =>
            {
                options.Configuration = RedisServer.Configuration;
                options.Mode = RedisAdapterMode.Streams;
                options.Key = key;
                options.StreamName = key;
            });
        }
    }, options =>
    {
        options.ConnectionStateRecovery.Enabled = true;
        // In memory the principal is kept, so only running the middlewares again checks the user; from Redis, always.
        options.ConnectionStateRecovery.SkipMiddlewares = store == "streams";
    });

    private sealed record Ids(string Sid, string Pid);

    private static async Task<(RawSocketIOClient Client, Ids Ids)> ConnectAsync(TestGatewayServer server, string token, string? pid = null)
    {
        var client = await RawSocketIOClient.ConnectAsync(server.Url);
        await client.SendTextAsync(pid is null ? $$"""40{"token":"{{token}}"}""" : $$"""40{"token":"{{token}}","pid":"{{pid}}"}""");
        string frame;
        do
        {
            frame = await client.ReceiveTextAsync() ?? throw new InvalidOperationException("closed before the CONNECT answer");
        }
        while (!frame.StartsWith("40", StringComparison.Ordinal));
        var answer = JsonElement.Parse(frame[2..]);
        return (client, new Ids(answer.GetProperty("sid").GetString()!, answer.GetProperty("pid").GetString()!));
    }
}
