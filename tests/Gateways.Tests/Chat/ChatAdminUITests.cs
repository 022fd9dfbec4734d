using Gateways.Testing;
using Gateways.Tests.Infrastructure;

namespace Gateways.Tests.Chat;

/// <summary>samples/Chat with ADMIN_UI_USER and ADMIN_UI_PASSWORD set: the real socket.io Admin UI page, in a real
/// browser, logs in to the sample's /admin namespace and shows a chat user's socket, rooms and the server; without
/// them the sample has no /admin namespace.</summary>
public sealed class ChatAdminUITests : IAsyncLifetime
{
    private const string AdminUser = "ops";
    private const string AdminPassword = "a long admin password";

    private readonly ChatSampleFixture _chat = new(new()
    {
        ["ADMIN_UI_USER"] = AdminUser,
        ["ADMIN_UI_PASSWORD"] = AdminPassword,
    });

    public Task InitializeAsync() => _chat.InitializeAsync();

    public Task DisposeAsync() => _chat.DisposeAsync();

    [Fact]
    public async Task TheRealAdminUIPageShowsTheSamplesSocketsRoomsAndServer()
    {
        const string chromium = "/usr/bin/chromium";
        Assert.True(File.Exists(chromium), "Debian's chromium is needed for the browser test; ./test.sh installs it with apt.");
        var screenshot = Path.Combine(RepositoryPaths.Root, ".test-output", "chat-admin-ui.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);

        var r = await NodeScenario.RunAsync("admin-ui-browser", _chat.Url, timeout: TimeSpan.FromSeconds(150), input: new
        {
            chromium,
            screenshot,
            user = AdminUser,
            password = AdminPassword,
            token = ChatSampleFixture.Token("alice"),
            room = "alice",
            serverId = Environment.MachineName,
        });

        var chatId = r.GetProperty("chatId").GetString()!;
        Assert.Contains(chatId, r.GetProperty("sockets").GetString());
        Assert.Contains("alice", r.GetProperty("rooms").GetString());
        Assert.Contains(Environment.MachineName, r.GetProperty("servers").GetString());
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is missing or empty");
        await _chat.WaitForOutputAsync("Admin UI login from", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task WithoutTheLoginSetTheSampleServesNoAdminNamespace()
    {
        var plain = new ChatSampleFixture();
        await plain.InitializeAsync();
        try
        {
            var refused = await Assert.ThrowsAsync<GatewayConnectException>(() => GatewayTestClient.ConnectAsync(new Uri(plain.Url),
                new GatewayTestClientOptions { Namespace = "/admin", Auth = new { username = AdminUser, password = AdminPassword } }));
            Assert.Equal("Invalid namespace", refused.Message);
        }
        finally
        {
            await plain.DisposeAsync();
        }
    }
}
