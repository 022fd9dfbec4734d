using System.Text.Json;
using Gateways.AdminUI;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Gateways.Tests.Security;
using Gateways.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateways.Tests.AdminUI;

/// <summary>The socket.io Admin UI's namespace on a real server, driven as <c>@socket.io/admin-ui</c>'s page drives
/// it: login, <c>config</c>, <c>all_sockets</c>, <c>server_stats</c>, live socket and event reports, operations.</summary>
public sealed class AdminUITests
{
    internal const string User = "admin";
    internal const string Password = "correct horse battery staple";

    // Fewer iterations than the default keep each login quick; the scheme is the same.
    internal static readonly string Hash = AdminUIPassword.Hash(Password, 10_000);

    internal static Task<TestGatewayServer> StartAsync(Action<AdminUIOptions>? configure = null, Action<IGatewaysBuilder>? more = null) =>
        TestGatewayServer.StartAsync(gateways =>
        {
            gateways.AddNamespace("/chat", ns => ns.On("hello", context =>
            {
                context.Socket.Emit("welcome", context.Arguments.Get<string>(0));
                context.Ack("hi");
                return ValueTask.CompletedTask;
            }));
            gateways.AddAdminUI(options =>
            {
                options.Username = User;
                options.PasswordHash = Hash;
                options.Mode = AdminUIMode.Development;
                options.StatsInterval = TimeSpan.FromMilliseconds(200);
                configure?.Invoke(options);
            });
            more?.Invoke(gateways);
        });

    internal static Task<GatewayTestClient> ConnectAdminAsync(TestGatewayServer server, object? auth = null) =>
        GatewayTestClient.ConnectAsync(new Uri(server.Url), new GatewayTestClientOptions
        {
            Namespace = "/admin",
            Auth = auth ?? new { username = User, password = Password },
        });

    private static Task<GatewayTestClient> ConnectChatAsync(TestGatewayServer server) =>
        GatewayTestClient.ConnectAsync(new Uri(server.Url), new GatewayTestClientOptions
        {
            Namespace = "/chat",
            Headers = { ["Authorization"] = "Bearer secret-token" },
            Query = { ["room"] = "lobby" },
        });

    [Fact]
    public async Task APageThatLogsInGetsASessionTheFeaturesAndEverySocket()
    {
        await using var server = await StartAsync();
        await using var chat = await ConnectChatAsync(server);
        await using var admin = await ConnectAdminAsync(server);

        var session = (await admin.WaitForAsync("session")).Get<string>(0);
        Assert.False(string.IsNullOrEmpty(session));
        var features = (await admin.WaitForAsync("config")).GetJson(0).GetProperty("supportedFeatures")
            .EnumerateArray().Select(f => f.GetString()).ToList();
        Assert.Equal(["EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT", "AGGREGATED_EVENTS", "ALL_EVENTS"], features);

        var sockets = (await admin.WaitForAsync("all_sockets")).GetJson(0).EnumerateArray().ToList();
        var listed = Assert.Single(sockets, s => s.GetProperty("id").GetString() == chat.Id);
        Assert.Equal("/chat", listed.GetProperty("nsp").GetString());
        Assert.Equal("websocket", listed.GetProperty("transport").GetString());
        Assert.Equal(12, listed.GetProperty("clientId").GetString()!.Length);
        Assert.Contains(chat.Id, listed.GetProperty("rooms").EnumerateArray().Select(r => r.GetString()));
        var handshake = listed.GetProperty("handshake");
        Assert.Equal("lobby", handshake.GetProperty("query").GetProperty("room").GetString());
        // The page shows headers; not the credentials in them, and never the auth payload.
        Assert.Equal("(hidden)", handshake.GetProperty("headers").GetProperty("authorization").GetString());
        Assert.False(handshake.TryGetProperty("auth", out _));
        // The page itself is listed too, as Node's admin-ui lists it.
        Assert.Contains(sockets, s => s.GetProperty("nsp").GetString() == "/admin" && s.GetProperty("id").GetString() == admin.Id);

        // The page reconnects with its session instead of the password.
        await using var again = await ConnectAdminAsync(server, new { sessionId = session });
        await again.WaitForAsync("config");
        Assert.DoesNotContain(again.Events, e => e.Name == "session");
    }

    [Fact]
    public async Task TheServersStatsCountItsNamespacesConnectionsAndTraffic()
    {
        await using var server = await StartAsync();
        await using var admin = await ConnectAdminAsync(server);
        await using var chat = await ConnectChatAsync(server);
        Assert.Equal("hi", await chat.EmitWithAckAsync<string>("hello", "there"));

        var counted = new Dictionary<string, long>();
        JsonElement stats = default;
        // Counts arrive per stats interval; add them up until the chat's connection and its traffic have been seen:
        // its connection, its CONNECT and its event. (The page's own connection may fall in a report sent before the
        // page had joined /admin, as with Node's admin-ui, so it is not counted on.)
        // The gauges (clients, sockets per namespace) are read when a report is built, the counts drained into it: under
        // load a report can count a connection whose session it does not list yet, so read on until both agree.
        bool AllSeen() => counted.GetValueOrDefault("rawConnection") >= 1 && counted.GetValueOrDefault("packetsIn") >= 2
            && stats.ValueKind == JsonValueKind.Object && stats.GetProperty("clientsCount").GetInt32() >= 2
            && SocketsIn(stats, "/chat") == 1 && SocketsIn(stats, "/admin") == 1;
        for (var i = 0; i < 40 && !AllSeen(); i++)
        {
            var args = await admin.WaitForAsync("server_stats", a => !a.GetJson(0).Equals(stats));
            stats = args.GetJson(0);
            foreach (var e in stats.GetProperty("aggregatedEvents").EnumerateArray())
            {
                var type = e.GetProperty("type").GetString()!;
                counted[type] = counted.GetValueOrDefault(type) + e.GetProperty("count").GetInt64();
            }
            await Task.Delay(250);
        }
        Assert.True(AllSeen(), $"{string.Join(", ", counted)}; last report: {stats}");
        Assert.True(counted.GetValueOrDefault("bytesIn") > 10, string.Join(", ", counted));
        Assert.True(counted.GetValueOrDefault("packetsOut") >= 2, string.Join(", ", counted));
        Assert.Equal($"{Environment.MachineName}#{Environment.ProcessId}", stats.GetProperty("serverId").GetString());
        Assert.True(stats.GetProperty("clientsCount").GetInt32() >= 2);
        Assert.Equal(1, SocketsIn(stats, "/chat"));
        Assert.Equal(1, SocketsIn(stats, "/admin"));
    }

    private static int SocketsIn(JsonElement stats, string name) => stats.GetProperty("namespaces").EnumerateArray()
        .Where(n => n.GetProperty("name").GetString() == name).Select(n => n.GetProperty("socketsCount").GetInt32()).FirstOrDefault(-1);

    [Fact]
    public async Task ThePageHearsOfSocketsRoomsAndEventsAsTheyHappen()
    {
        await using var server = await StartAsync();
        await using var admin = await ConnectAdminAsync(server);
        await admin.WaitForAsync("all_sockets");

        await using var chat = await ConnectChatAsync(server);
        var connected = await admin.WaitForAsync("socket_connected", a => a.GetJson(0).GetProperty("id").GetString() == chat.Id);
        Assert.Equal("/chat", connected.GetJson(0).GetProperty("nsp").GetString());
        Assert.True(DateTimeOffset.TryParse(connected.Get<string>(1), out _));
        await admin.WaitForAsync("room_joined", a => a.Get<string>(1) == chat.Id && a.Get<string>(2) == chat.Id);

        await chat.EmitWithAckAsync<string>("hello", "there");
        var received = await admin.WaitForAsync("event_received", a => a.Get<string>(1) == chat.Id);
        Assert.Equal("/chat", received.Get<string>(0));
        Assert.Equal("""["hello","there"]""", received.GetJson(2).GetRawText());
        var sent = await admin.WaitForAsync("event_sent", a => a.Get<string>(1) == chat.Id);
        Assert.Equal("""["welcome","there"]""", sent.GetJson(2).GetRawText());

        await chat.DisconnectAsync();
        var gone = await admin.WaitForAsync("socket_disconnected", a => a.Get<string>(1) == chat.Id);
        Assert.Equal("/chat", gone.Get<string>(0));
        Assert.Equal("client namespace disconnect", gone.Get<string>(2));
        await admin.WaitForAsync("room_left", a => a.Get<string>(1) == chat.Id && a.Get<string>(2) == chat.Id);
    }

    [Fact]
    public async Task ThePagesOperationsJoinEmitLeaveAndDisconnect()
    {
        await using var server = await StartAsync();
        await using var chat = await ConnectChatAsync(server);
        await using var other = await ConnectChatAsync(server);
        await using var admin = await ConnectAdminAsync(server);
        await admin.WaitForAsync("all_sockets");

        // Socket.IO v4's forms: every socket of a namespace, narrowed by a room (here one socket's own room).
        await admin.EmitAsync("join", "/chat", "vip", chat.Id);
        await admin.WaitForAsync("room_joined", a => a.Get<string>(1) == "vip" && a.Get<string>(2) == chat.Id);
        await admin.EmitAsync("emit", "/chat", "vip", "news", new { headline = "hello vips" });
        var news = await chat.WaitForAsync("news");
        Assert.Equal("hello vips", news.GetJson(0).GetProperty("headline").GetString());
        await admin.EmitAsync("emit", "/chat", null, "everyone", 42);
        Assert.Equal(42, (await other.WaitForAsync("everyone")).Get<int>(0));
        Assert.DoesNotContain(other.Events, e => e.Name == "news");

        await admin.EmitAsync("leave", "/chat", "vip");
        await admin.WaitForAsync("room_left", a => a.Get<string>(1) == "vip" && a.Get<string>(2) == chat.Id);
        await admin.EmitAsync("_disconnect", "/chat", false, other.Id);
        Assert.True(await other.WaitForDisconnectAsync());
        Assert.True(chat.Connected);

        // A namespace the server does not have harms nothing and is logged.
        await admin.EmitAsync("join", "/nowhere", "vip");
        await WaitUntilAsync(() => server.Logs.Contains(LogLevel.Warning, "'/nowhere' not done"));
        Assert.True(admin.Connected);
    }

    [Fact]
    public async Task AReadOnlyPageWatchesButCannotAct()
    {
        await using var server = await StartAsync(options => options.ReadOnly = true);
        await using var chat = await ConnectChatAsync(server);
        await using var admin = await ConnectAdminAsync(server);

        var features = (await admin.WaitForAsync("config")).GetJson(0).GetProperty("supportedFeatures");
        Assert.Equal("""["AGGREGATED_EVENTS","ALL_EVENTS"]""", features.GetRawText());
        await admin.EmitAsync("emit", "/chat", null, "news", "not allowed");
        await admin.EmitAsync("_disconnect", "/chat", true);
        // The same page's next event is answered after those two were refused; the chat socket saw neither.
        await admin.WaitForAsync("server_stats");
        await Task.Delay(300);
        Assert.DoesNotContain(chat.Events, e => e.Name == "news");
        Assert.True(chat.Connected);
    }

    [Fact]
    public async Task ProductionModeSendsOnlyTheCounts()
    {
        await using var server = await StartAsync(options => options.Mode = AdminUIMode.Production);
        await using var admin = await ConnectAdminAsync(server);
        var features = (await admin.WaitForAsync("config")).GetJson(0).GetProperty("supportedFeatures");
        Assert.DoesNotContain("ALL_EVENTS", features.GetRawText());

        await using var chat = await ConnectChatAsync(server);
        await chat.EmitWithAckAsync<string>("hello", "there");
        // Two stats later nothing but stats (and the login's session and config) reached the page.
        await admin.WaitForAsync("server_stats");
        var seen = admin.Events.Count(e => e.Name == "server_stats");
        await admin.WaitForAsync("server_stats", _ => admin.Events.Count(e => e.Name == "server_stats") > seen + 1);
        Assert.All(admin.Events, e => Assert.Contains(e.Name, (string[])["session", "config", "server_stats"]));
    }

    [Theory]
    [InlineData("admin", "wrong password")]
    [InlineData("root", Password)]
    [InlineData(null, null)]
    public async Task WrongOrMissingCredentialsAreRefusedAsInvalidCredentials(string? username, string? password)
    {
        await using var server = await StartAsync();
        object auth = username is null ? new { sessionId = "made-up" } : new { username, password };

        var refused = await Assert.ThrowsAsync<GatewayConnectException>(() => ConnectAdminAsync(server, auth));
        Assert.Equal("invalid credentials", refused.Message);
        Assert.True(server.Logs.Contains(LogLevel.Warning, "Admin UI login from"));
        // The rest of the server is not affected.
        await using var chat = await ConnectChatAsync(server);
        Assert.Equal("hi", await chat.EmitWithAckAsync<string>("hello", "x"));
    }

    [Fact]
    public async Task TheAppsAuthenticationDoesNotRunForThePageItsOwnLoginDoes()
    {
        // Every namespace of this app needs a JWT; the page has none.
        await using var server = await StartAsync(more: gateways =>
        {
            gateways.Services.AddAuthentication(Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerDefaults.AuthenticationScheme)
                .AddJwtBearer(jwt => jwt.TokenValidationParameters = TestTokens.ValidationParameters);
            gateways.AddJwtAuthentication();
        });
        await Assert.ThrowsAsync<GatewayConnectException>(() => ConnectChatAsync(server));

        await using var admin = await ConnectAdminAsync(server);
        await admin.WaitForAsync("config");
    }

    [Fact]
    public async Task SessionsAreBoundedTheOldestIsForgotten()
    {
        await using var server = await StartAsync(options => options.MaxSessions = 2);
        var sessions = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            await using var page = await ConnectAdminAsync(server);
            sessions.Add((await page.WaitForAsync("session")).Get<string>(0)!);
        }

        Assert.Equal(2, server.Services.GetRequiredService<AdminUIMonitor>().Sessions.Count);
        await Assert.ThrowsAsync<GatewayConnectException>(() => ConnectAdminAsync(server, new { sessionId = sessions[0] }));
        await using var newest = await ConnectAdminAsync(server, new { sessionId = sessions[2] });
        await newest.WaitForAsync("config");
    }

    [Theory]
    [InlineData(null, "needs a Username")]
    [InlineData("plain text password", "must be a hash made by AdminUIPassword.Hash")]
    public async Task AnAdminUIAnyoneCouldUseByMistakeDoesNotStart(string? passwordHash, string expected)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestGatewayServer.StartAsync(gateways =>
            gateways.AddAdminUI(options =>
            {
                options.Username = passwordHash is null ? null : User;
                options.PasswordHash = passwordHash;
            })));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void APasswordHashVerifiesItsPasswordOnly()
    {
        var hash = AdminUIPassword.Hash("s3cret", 10_000);
        Assert.StartsWith("pbkdf2-sha256$10000$", hash);
        Assert.True(AdminUIPassword.Verify(hash, "s3cret"));
        Assert.False(AdminUIPassword.Verify(hash, "s3cret "));
        Assert.NotEqual(hash, AdminUIPassword.Hash("s3cret", 10_000));
        Assert.False(AdminUIPassword.IsValid("s3cret"));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }
        Assert.True(condition());
    }
}
