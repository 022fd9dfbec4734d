using System.Security.Claims;
using System.Text.Json;
using Gateways.Hosting;
using Gateways.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateways.Tests.Gateways;

/// <summary>Generated gateways driven by the real socket.io-client.</summary>
public sealed class GatewayEndToEndTests
{
    private static Task<TestGatewayServer> StartAsync() => TestGatewayServer.StartAsync(gateways =>
    {
        gateways.Services.AddSingleton<ChatService>();
        gateways.Services.AddScoped<RequestCounter>();
        gateways.Services.AddKeyedSingleton("formal", new Greeting("good day"));
        gateways.AddGateway<ChatGateway>()
            .AddGateway<AppGateway>()
            .AddGateway<KitchenSinkGateway>()
            .AddNamespace("/sink", ns => ns.Use(async (context, next) =>
            {
                // A stand-in for authentication: the auth payload's claims become the socket's user.
                var auth = context.Socket.Handshake.Auth;
                if (auth.TryGetProperty("sub", out var sub))
                {
                    context.Socket.User = new ClaimsPrincipal(new ClaimsIdentity(
                    [
                        new Claim("sub", sub.GetString()!),
                        new Claim(ClaimTypes.Role, auth.GetProperty("role").GetString()!),
                    ], "test"));
                }
                await next();
            }));
    });

    [Fact]
    public async Task SeedChatGatewayJoinsRoomsSavesAndBroadcastsMessages()
    {
        await using var server = await StartAsync();

        var result = await NodeScenario.RunAsync("seed-chat", server.Url);

        Assert.True(result.TryGetProperty("ids", out var ids), result.GetRawText());
        var a = ids.GetProperty("a").GetString();
        var b = ids.GetProperty("b").GetString();
        var saved = result.GetProperty("saved")[0];
        Assert.True(saved.ValueKind == JsonValueKind.Object, result.GetRawText());
        Assert.Equal("hello room", saved.GetProperty("text").GetString());
        Assert.Equal("r1", saved.GetProperty("roomId").GetString());
        Assert.Equal(a, saved.GetProperty("userId").GetString());
        var seen = result.GetProperty("seen");
        Assert.Equal(
            $$"""[["joinedRoom","r1"],["notification",{"text":"Another user joined","roomId":"r1","userId":"{{b}}"}],["newMessage",{{saved.GetRawText()}}],["newMessage",{"id":3,"roomId":"r1","userId":"{{a}}","text":"after b left","createdAt":"1970-01-01T00:00:00+00:00"}]]""",
            seen.GetProperty("a").GetRawText());
        Assert.Equal($"""[["joinedRoom","r1"],["newMessage",{saved.GetRawText()}]]""", seen.GetProperty("b").GetRawText());
        Assert.Equal("[]", seen.GetProperty("c").GetRawText());
        Assert.Equal(3, server.Services.GetRequiredService<ChatService>().Saved.Count);
    }

    [Fact]
    public async Task SeedAppGatewayRunsLifecycleHooksAndThePositionalHandler()
    {
        await using var server = await StartAsync();

        var result = await NodeScenario.RunAsync("seed-app", server.Url);

        Assert.Equal("""{"text":"Hello"}""", result.GetProperty("toA").GetRawText());
        Assert.Equal("""{"text":"Hello"}""", result.GetProperty("toB").GetRawText());
        var gateway = server.Services.GetRequiredService<AppGateway>();
        var ids = result.GetProperty("ids").EnumerateArray().Select(e => e.GetString()).ToList();
        await WaitUntilAsync(() => gateway.Log.Count(l => l.StartsWith("disconnected", StringComparison.Ordinal)) == 2);
        var log = gateway.Log.ToList();
        Assert.Equal("init / True", log[0]);
        Assert.Equal(ids.Select(id => $"connected {id}").Order(), log.Where(l => l.StartsWith("connected", StringComparison.Ordinal)).Order());
        Assert.Equal(ids.Select(id => $"disconnected {id}").Order(), log.Where(l => l.StartsWith("disconnected", StringComparison.Ordinal)).Order());
    }

    [Fact]
    public async Task EveryParameterAndReturnKindBindsAsDocumented()
    {
        await using var server = await StartAsync();

        var r = await NodeScenario.RunAsync("kitchen-sink", server.Url);

        Assert.Equal("""[{"x":2,"y":2}]""", r.GetProperty("body").GetRawText());
        Assert.Equal("""["nx3"]""", r.GetProperty("bodyProperty").GetRawText());
        Assert.Equal("""["7:seven"]""", r.GetProperty("bodyIndex").GetRawText());
        Assert.Equal("[6]", r.GetProperty("several").GetRawText());
        Assert.Equal("""["5,6 scoped#ok good day True"]""", r.GetProperty("implicit").GetRawText());
        Assert.Equal("""["u1/admin"]""", r.GetProperty("user").GetRawText());
        Assert.Equal("""["anonymous"]""", r.GetProperty("userOptional").GetRawText());
        Assert.Equal("""["first","explicit-ack"]""", r.GetProperty("explicitAck").GetRawText());
        Assert.Equal("""["LOUD"]""", r.GetProperty("valueTask").GetRawText());
        Assert.Equal("""["context@/sink True"]""", r.GetProperty("context").GetRawText());
        Assert.Equal("""[[1,{"a":null}]]""", r.GetProperty("raw").GetRawText());
        // A WsResponse is emitted to the sender, not sent as the ack.
        Assert.Equal("no ack", r.GetProperty("respondAck").GetString());
        Assert.Equal("""{"x":9,"y":9}""", r.GetProperty("responded").GetRawText());
        Assert.Equal("[1,2,3]", r.GetProperty("ticks").GetRawText());
        Assert.Equal("no ack", r.GetProperty("nothing").GetString());
        Assert.Equal("no ack", r.GetProperty("nullResult").GetString());
        Assert.Equal("""{"status":"error","message":"not allowed","cause":{"pattern":"ws-exception","data":"not allowed"}}""",
            r.GetProperty("wsException").GetRawText());
        Assert.Equal("""{"code":"E42","status":"error"}""", r.GetProperty("wsExceptionObject").GetRawText());
        Assert.Equal("""{"status":"error","message":"Internal server error","cause":{"pattern":"crash"}}""", r.GetProperty("crash").GetRawText());
        Assert.Equal("error", r.GetProperty("badBody").GetProperty("status").GetString());
        Assert.StartsWith("Invalid payload for 'body'", r.GetProperty("badBody").GetProperty("message").GetString());
        Assert.Equal("""{"status":"error","message":"Unauthorized","cause":{"pattern":"user"}}""", r.GetProperty("userMissing").GetRawText());
        Assert.True(r.GetProperty("stillConnected").GetBoolean());
        Assert.Equal("""[{"x":1,"y":0}]""", r.GetProperty("afterErrors").GetRawText());
        Assert.True(server.Logs.Contains(LogLevel.Error, "The handler of event 'crash' in namespace '/sink' failed"));
        Assert.DoesNotContain(server.Logs.Entries, e => e.Message.Contains("secret detail") && e.Level < LogLevel.Error);
    }

    [Fact]
    public async Task AGatewayWithoutGeneratedCodeIsRefusedWithTheLikelyCause()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            TestGatewayServer.StartAsync(gateways => gateways.AddGateway<NotAGateway>()));

        Assert.Contains("has no generated dispatcher", error.Message);
        Assert.Contains("[WebSocketGateway]", error.Message);
    }

    [Fact]
    public async Task AssemblyScanningFindsEveryGeneratedGateway()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways =>
        {
            // Everything the scanned gateways of this assembly need.
            gateways.Services.AddSingleton<ChatService>();
            gateways.Services.AddScoped<RequestCounter>();
            gateways.Services.AddKeyedSingleton("formal", new Greeting("good day"));
            ServiceBindingTests.AddGatewayDependencies(gateways.Services);
            Security.SecurityTests.AddGatewayDependencies(gateways.Services);
            gateways.AddGatewaysFromAssemblyOf<GatewayEndToEndTests>();
        });

        var io = server.Services.GetRequiredService<Namespaces.SocketIOServer>();
        Assert.Equal(["/", "/acks", "/admin", "/binding", "/catchall", "/chat", "/hardening", "/leaving", "/lobby", "/metrics", "/order", "/public", "/sink", "/upgrade"], io.Namespaces.Select(n => n.Name).Order());
        var result = await NodeScenario.RunAsync("seed-app", server.Url);
        Assert.Equal("""{"text":"Hello"}""", result.GetProperty("toA").GetRawText());
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(20);
        }
    }

    private sealed class NotAGateway;
}
