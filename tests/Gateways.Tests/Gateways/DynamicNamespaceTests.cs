using System.Text.RegularExpressions;
using Gateways.Hosting;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateways.Tests.Gateways;

/// <summary>One gateway for every tenant: <c>/tenant-1</c>, <c>/tenant-2</c>… are child namespaces of their own.</summary>
[WebSocketGateway("/tenant-{id}")]
public sealed class TenantGateway
{
    [WebSocketServer]
    public IGatewayServer Server { get; set; } = null!;

    [SubscribeMessage("whoami")]
    public string WhoAmI([FromNamespace] string id, [FromNamespace("id")] int number, IGatewaySocket client) =>
        $"{client.Namespace} id={id} next={number + 1}";

    /// <summary>To every tenant (the parent), or to the sender's tenant only (its namespace's sockets).</summary>
    [SubscribeMessage("announce")]
    public void Announce([MessageBody(Index = 0)] string text, IGatewaySocket client, [MessageBody(Index = 1)] bool everyone)
    {
        if (everyone)
        {
            Server.Emit("announcement", text);
        }
        else
        {
            client.Broadcast.Emit("announcement", text);
        }
    }
}

public sealed class DynamicNamespaceTests
{
    private static Task<TestGatewayServer> StartAsync(Action<DynamicNamespaceOptions>? dynamic = null,
        Action<IGatewaysBuilder>? more = null) =>
        TestGatewayServer.StartAsync(gateways =>
        {
            gateways.AddGateway<TenantGateway>();
            more?.Invoke(gateways);
        }, options => dynamic?.Invoke(options.DynamicNamespaces));

    private static Task<GatewayTestClient> ConnectAsync(TestGatewayServer server, string @namespace) =>
        GatewayTestClient.ConnectAsync(new Uri(server.Url), new GatewayTestClientOptions { Namespace = @namespace });

    private static IReadOnlyList<string> Children(TestGatewayServer server) =>
        [.. server.Services.GetRequiredService<Namespaces.SocketIOServer>().Namespaces.Select(n => n.Name).Where(n => n != "/").Order()];

    [Fact]
    public async Task EachNameTheTemplateMatchesIsANamespaceWithTheGatewaysHandlersAndItsValues()
    {
        await using var server = await StartAsync();
        await using var one = await ConnectAsync(server, "/tenant-1");
        await using var two = await ConnectAsync(server, "/tenant-41");

        Assert.Equal("/tenant-1 id=1 next=2", await one.EmitWithAckAsync<string>("whoami"));
        Assert.Equal("/tenant-41 id=41 next=42", await two.EmitWithAckAsync<string>("whoami"));
        Assert.Equal(["/tenant-1", "/tenant-41"], Children(server));

        // Not the template's: refused as socket.io refuses an unknown namespace.
        var refused = await Assert.ThrowsAsync<GatewayConnectException>(() => ConnectAsync(server, "/tenant-"));
        Assert.Equal("Invalid namespace", refused.Message);
        await Assert.ThrowsAsync<GatewayConnectException>(() => ConnectAsync(server, "/tenant-1/more"));
    }

    [Fact]
    public async Task AValueThatDoesNotParseFailsTheEventAsInvalidInput()
    {
        await using var server = await StartAsync();
        await using var client = await ConnectAsync(server, "/tenant-abc");

        await client.EmitAsync("whoami");

        var error = await client.WaitForAsync("exception");
        Assert.Contains("The id value of namespace '/tenant-abc' is not a valid Int32.", error.GetJson(0).GetRawText());
        Assert.True(client.Connected);
    }

    [Fact]
    public async Task TheParentReachesEveryChildAndAChildOnlyItself()
    {
        await using var server = await StartAsync();
        await using var sender = await ConnectAsync(server, "/tenant-1");
        await using var sameTenant = await ConnectAsync(server, "/tenant-1");
        await using var otherTenant = await ConnectAsync(server, "/tenant-2");

        await sender.EmitAsync("announce", "only us", false);
        Assert.Equal("only us", await sameTenant.WaitForAsync<string>("announcement"));

        await sender.EmitAsync("announce", "everyone", true);
        Assert.Equal("everyone", await otherTenant.WaitForAsync<string>("announcement"));
        Assert.Equal("everyone", await sameTenant.WaitForAsync<string>("announcement", TimeSpan.FromSeconds(5)));
        // The tenant-only announcement never crossed to the other tenant: its first announcement is the parent's.
        Assert.Equal(["everyone"], otherTenant.Events.Where(e => e.Name == "announcement").Select(e => e.Arguments.Get<string>(0)));

        // From a service: the parent by its template, one child by its name.
        var broadcaster = server.Services.GetRequiredService<IGatewayBroadcaster>();
        broadcaster.Of("/tenant-2").Broadcast("note", "for tenant 2");
        Assert.Equal("for tenant 2", await otherTenant.WaitForAsync<string>("note"));
        broadcaster.Of("/tenant-{id}").Broadcast("note", "for all");
        Assert.Equal("for all", await sender.WaitForAsync<string>("note"));
        Assert.DoesNotContain(sender.Events, e => e.Name == "note" && e.Arguments.Get<string>(0) == "for tenant 2");
        Assert.Equal(3, server.Services.GetRequiredService<TenantGateway>().Server.LocalSocketCount);
        // The health check counts them under the template, one entry however many tenants.
        var health = await server.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>().CheckHealthAsync();
        Assert.Equal(3, health.Entries["gateways"].Data["sockets /tenant-{id}"]);
        Assert.DoesNotContain(health.Entries["gateways"].Data.Keys, key => key.Contains("/tenant-1", StringComparison.Ordinal));
        Assert.Equal("/tenant-{id}", server.Services.GetRequiredService<TenantGateway>().Server.Name);
    }

    [Fact]
    public async Task TheJavaScriptClientUsesChildrenOverOneConnectionAndTheEmptyOneGoes()
    {
        await using var server = await StartAsync(dynamic => dynamic.CleanupEmptyChildren = true);

        var result = await NodeScenario.RunAsync("dynamic-namespaces", server.Url);

        Assert.Equal("""["/tenant-1 id=1 next=2","/tenant-2 id=2 next=3"]""", result.GetProperty("whoami").GetRawText());
        Assert.Equal("""["to every tenant","to every tenant"]""", result.GetProperty("announcements").GetRawText());
        Assert.Equal("Invalid namespace", result.GetProperty("refused").GetString());
        Assert.True(result.GetProperty("sameConnection").GetBoolean());
        // /tenant-2 went when its socket left, while /tenant-1 (same connection) stayed until the client ended.
        await WaitUntil(() => Children(server).Count == 0);
        var removals = server.Logs.Entries.Where(e => e.Message.StartsWith("Removed namespace", StringComparison.Ordinal))
            .Select(e => e.Message.Split('\'')[1]).ToList();
        Assert.Equal(["/tenant-2", "/tenant-1"], removals);
    }

    [Fact]
    public async Task EmptyChildrenStayByDefaultAndGoWhenCleanupIsOn()
    {
        await using (var server = await StartAsync())
        {
            var client = await ConnectAsync(server, "/tenant-7");
            await client.DisposeAsync();
            await Task.Delay(200);
            Assert.Equal(["/tenant-7"], Children(server));
        }

        await using (var server = await StartAsync(dynamic => dynamic.CleanupEmptyChildren = true))
        {
            var first = await ConnectAsync(server, "/tenant-7");
            await using var second = await ConnectAsync(server, "/tenant-7");
            await first.DisposeAsync();
            await Task.Delay(200);
            Assert.Equal(["/tenant-7"], Children(server)); // one socket is still there

            await second.DisconnectAsync();
            await WaitUntil(() => Children(server).Count == 0);
            Assert.True(server.Logs.Contains(LogLevel.Debug, "Removed namespace '/tenant-7' of dynamic namespace '/tenant-{id}'"));

            // A later client gets a fresh child.
            await using var again = await ConnectAsync(server, "/tenant-7");
            Assert.Equal("/tenant-7 id=7 next=8", await again.EmitWithAckAsync<string>("whoami"));
        }
    }

    [Fact]
    public async Task AChildMadeForARefusedConnectGoesAwayWithIt()
    {
        await using var server = await StartAsync(more: gateways => gateways.AddNamespace("/tenant-{id}", ns => ns.Use((context, next) =>
            context.Socket.NamespaceValues["id"] == "secret" ? throw new ConnectionRefusedException("Forbidden tenant") : next())));

        for (var i = 0; i < 5; i++)
        {
            var refused = await Assert.ThrowsAsync<GatewayConnectException>(() => ConnectAsync(server, "/tenant-secret"));
            Assert.Equal("Forbidden tenant", refused.Message);
        }

        Assert.Empty(Children(server));
    }

    [Fact]
    public async Task ChildrenAreBoundedEmptyOnesMakeRoomAndTheLimitIsLoggedOnce()
    {
        await using var server = await StartAsync(dynamic => dynamic.MaxChildren = 2);
        var one = await ConnectAsync(server, "/tenant-1");
        await using var two = await ConnectAsync(server, "/tenant-2");

        for (var i = 3; i < 8; i++)
        {
            var refused = await Assert.ThrowsAsync<GatewayConnectException>(() => ConnectAsync(server, $"/tenant-{i}"));
            Assert.Equal("Too many namespaces", refused.Message);
        }
        // An existing child still takes sockets.
        await using var alsoTwo = await ConnectAsync(server, "/tenant-2");
        Assert.Equal(["/tenant-1", "/tenant-2"], Children(server));
        Assert.Single(server.Logs.Entries, e => e.Message.Contains("has 2 namespaces with sockets"));
        // From the app too: a clear error, not a silent miss.
        var ofError = Assert.Throws<InvalidOperationException>(() =>
            server.Services.GetRequiredService<IGatewayBroadcaster>().Of("/tenant-9").Broadcast("x", null));
        Assert.Contains("MaxChildren", ofError.Message);

        // Cleanup is off, so /tenant-1 stays when its socket leaves; but an empty child makes room for a new one:
        // names minted and left cannot lock new tenants out.
        await one.DisposeAsync();
        await Task.Delay(200);
        await using var three = await ConnectAsync(server, "/tenant-3");
        Assert.Equal("/tenant-3 id=3 next=4", await three.EmitWithAckAsync<string>("whoami"));
        Assert.Equal(["/tenant-2", "/tenant-3"], Children(server));
    }

    [Fact]
    public async Task ClientsConnectingToANewChildAtOnceShareOneChild()
    {
        await using var server = await StartAsync();

        var clients = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => ConnectAsync(server, "/tenant-5")));

        Assert.Equal(["/tenant-5"], Children(server));
        Assert.Equal(20, server.Services.GetRequiredService<TenantGateway>().Server.LocalSocketCount);
        Assert.Single(server.Logs.Entries, e => e.Message.StartsWith("Created namespace '/tenant-5'", StringComparison.Ordinal));
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task AnOverlongNameIsAnUnknownNamespace()
    {
        await using var server = await StartAsync();

        var refused = await Assert.ThrowsAsync<GatewayConnectException>(() => ConnectAsync(server, "/tenant-" + new string('9', 300)));

        Assert.Equal("Invalid namespace", refused.Message);
        Assert.Empty(Children(server));
    }

    [Fact]
    public async Task ARegularExpressionDeclaresOneTooWithItsNamedGroupsAsValues()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways => gateways
            .AddNamespace(new Regex("^/org-(?<org>[a-z]+)/team-(?<team>[0-9]+)$"), ns => ns.On("values", context =>
            {
                context.Ack(context.Socket.NamespaceValues.OrderBy(pair => pair.Key).Select(pair => $"{pair.Key}={pair.Value}"));
                return ValueTask.CompletedTask;
            })));
        await using var client = await ConnectAsync(server, "/org-acme/team-42");

        Assert.Equal(["org=acme", "team=42"], (await client.EmitWithAckAsync<string[]>("values"))!);
        await Assert.ThrowsAsync<GatewayConnectException>(() => ConnectAsync(server, "/org-ACME/team-42"));
    }

    [Fact]
    public void AMalformedTemplateOrAnUnanchoredExpressionIsRefusedAtDeclaration()
    {
        var services = new ServiceCollection();
        var gateways = services.AddGateways();

        var malformed = Assert.Throws<ArgumentException>(() => gateways.AddNamespace("/tenant-{id", _ => { }));
        Assert.Contains("'{' at 8 is not closed", malformed.Message);
        Assert.Throws<ArgumentException>(() => gateways.AddNamespace("/{a}{b}", _ => { }));
        Assert.Throws<ArgumentException>(() => gateways.AddNamespace(new Regex("/tenant-.*"), _ => { }));
    }

    [Fact]
    public async Task ServerSideEmitsOnTheParentFailLoudly()
    {
        await using var server = await StartAsync();
        var parent = server.Services.GetRequiredService<TenantGateway>().Server;

        var error = Assert.Throws<NotSupportedException>(() => parent.ServerSideEmit("hello"));
        Assert.Contains("'/tenant-{id}' is a dynamic namespace", error.Message);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not become true within 10 s");
            await Task.Delay(20);
        }
    }
}
