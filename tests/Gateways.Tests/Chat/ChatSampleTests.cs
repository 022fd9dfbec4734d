using System.Text.Json;
using Gateways.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gateways.Tests.Chat;

/// <summary>Every line of samples/Chat's contract, driven with the real socket.io-client against the sample process.</summary>
public sealed class ChatSampleTests(ChatSampleFixture chat) : IClassFixture<ChatSampleFixture>
{
    [Theory]
    [InlineData("websocket", "")]
    [InlineData("polling,websocket", "")]
    // Alice's clients speak socket.io-msgpack-parser, Bob's the default parser: one room, one broadcast, both served.
    [InlineData("websocket", "alice")]
    [InlineData("polling,websocket", "alice")]
    public async Task TheChatContractHoldsOverEachTransport(string transports, string msgpackUsers)
    {
        var r = await NodeScenario.RunAsync("chat-contract", chat.Url, input: new
        {
            transports = transports.Split(','),
            alice = ChatSampleFixture.Token("alice"),
            bob = ChatSampleFixture.Token("bob"),
            msgpack = msgpackUsers.Split(',', StringSplitOptions.RemoveEmptyEntries),
        });

        Assert.Equal("Unauthorized", r.GetProperty("badToken").GetString());
        Assert.Equal("Unauthorized", r.GetProperty("missingToken").GetString());
        Assert.Equal("""[{"status":"ok"}]""", r.GetProperty("messageAck").GetRawText());
        Assert.Equal("""[{"text":"hi all"},{"text":"hi all"}]""", r.GetProperty("messageReceived").GetRawText());
        Assert.Equal("""{"roomId":"lobby"}""", r.GetProperty("joinedRoom").GetRawText());
        Assert.Equal("""{"text":"Another user joined","roomId":"lobby","userId":"alice"}""", r.GetProperty("notification").GetRawText());
        var saved = r.GetProperty("saved");
        Assert.Equal("lobby", saved.GetProperty("roomId").GetString());
        Assert.Equal("alice", saved.GetProperty("userId").GetString());
        Assert.Equal("hello lobby", saved.GetProperty("text").GetString());
        Assert.True(saved.GetProperty("id").GetInt64() > 0);
        Assert.True(DateTimeOffset.TryParse(saved.GetProperty("createdAt").GetString(), out _));
        Assert.All(r.GetProperty("delivered").EnumerateArray(), m => Assert.Equal(saved.GetRawText(), m.GetRawText()));
        Assert.Equal("error", r.GetProperty("badPayload").GetProperty("status").GetString());
        Assert.StartsWith("Validation failed", r.GetProperty("badPayload").GetProperty("message").GetString());
        Assert.Equal(0, r.GetProperty("bobSawAfterLeaving").GetInt32());
        Assert.Equal(202, r.GetProperty("notifyStatus").GetInt32());
        Assert.Equal("""[{"title":"Hi","body":"from bob"},{"title":"Hi","body":"from bob"}]""", r.GetProperty("userNotifications").GetRawText());
        Assert.Equal(202, r.GetProperty("priceStatus").GetInt32());
        Assert.Equal("""[{"symbol":"ACME","price":12.5},{"symbol":"ACME","price":12.5}]""", r.GetProperty("prices").GetRawText());
        Assert.Equal(401, r.GetProperty("unauthorizedStatus").GetInt32());
        var history = r.GetProperty("history").EnumerateArray().Select(m => m.GetProperty("text").GetString()).ToList();
        Assert.Equal(["hello lobby", "bob is gone"], history.TakeLast(2));
        Assert.Equal(200, r.GetProperty("page").GetInt32());
        Assert.Equal(200, r.GetProperty("clientLibrary").GetInt32());
        Assert.Equal("websocket", r.GetProperty("transport").GetString());
    }

    [Fact]
    public async Task AFloodingClientGetsTooManyRequests()
    {
        var r = await NodeScenario.RunAsync("chat-flood", chat.Url, input: new { alice = ChatSampleFixture.Token("flooder") });

        // 60 events against a burst of 40, less the permit its CONNECT took.
        Assert.InRange(r.GetProperty("refusals").GetInt32(), 10, 21);
        Assert.Equal("Too many requests", r.GetProperty("message").GetString());
    }

    [Fact]
    public async Task AnotherUsersPersonalRoomCanBeNeitherJoinedNorPostedToNorRead()
    {
        static async Task<RawSocketIOClient> ConnectAsync(string url, string user)
        {
            var client = await RawSocketIOClient.ConnectAsync(url);
            await client.SendTextAsync($"40{{\"token\":\"{ChatSampleFixture.Token(user)}\"}}");
            Assert.StartsWith("40{\"sid\"", await client.ReceiveTextAsync());
            return client;
        }
        const string refusal = "Room 'erin' is another user's private room.";
        await using (var erin = await ConnectAsync(chat.Url, "erin"))
        await using (var frank = await ConnectAsync(chat.Url, "frank"))
        {
            await frank.SendTextAsync("""421["joinRoom",{"roomId":"erin"}]""");
            Assert.Contains(refusal, await frank.ReceiveTextAsync());
            await frank.SendTextAsync("""422["sendMessage",{"roomId":"erin","text":"psst"}]""");
            Assert.Contains(refusal, await frank.ReceiveTextAsync());
        }
        // Erin has gone: her room is still hers.
        await using (var frank = await ConnectAsync(chat.Url, "frank"))
        {
            await frank.SendTextAsync("""421["joinRoom",{"roomId":"erin"}]""");
            Assert.Contains(refusal, await frank.ReceiveTextAsync());
        }

        using var http = new HttpClient { BaseAddress = new Uri(chat.Url) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", ChatSampleFixture.Token("frank"));
        var asFrank = await http.GetAsync("/api/rooms/erin/messages");
        http.DefaultRequestHeaders.Authorization = new("Bearer", ChatSampleFixture.Token("erin"));
        var asErin = await http.GetAsync("/api/rooms/erin/messages");

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, asFrank.StatusCode);
        Assert.Contains(refusal, await asFrank.Content.ReadAsStringAsync());
        Assert.Equal(System.Net.HttpStatusCode.OK, asErin.StatusCode);
        Assert.Equal("[]", await asErin.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/api/prices", "symbol", 5_000_000, 413)]
    [InlineData("/api/prices", "symbol", 17, 400)]
    [InlineData("/api/notifications/bob", "title", 201, 400)]
    [InlineData("/api/notifications/bob", "body", 2001, 400)]
    public async Task TheApiRefusesOversizedFields(string path, string field, int length, int status)
    {
        using var http = new HttpClient { BaseAddress = new Uri(chat.Url) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", ChatSampleFixture.Token("alice"));
        var body = new Dictionary<string, object> { ["symbol"] = "ACME", ["price"] = 1, ["title"] = "t", ["body"] = "b" };
        body[field] = new string('x', length);

        // Expect: 100-continue, so the server's early 413 arrives before the client has sent a 5 MB body into a reset.
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.ExpectContinue = true;

        var response = await http.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
    }

    [Fact]
    public async Task TheTokenCommandPrintsADevelopmentToken()
    {
        var output = await ProcessRunner.RunAsync("dotnet", [ChatSampleFixture.SampleAssembly, "token", "carol"],
            ChatSampleFixture.SampleDirectory, TimeSpan.FromMinutes(1), chat.Environment);

        var token = new JsonWebToken(output.Trim());
        Assert.Equal("carol", token.Subject);
        Assert.True(token.ValidTo > DateTime.UtcNow.AddHours(23));
    }

    [Fact]
    public async Task TwoUsersChatInARealBrowser()
    {
        const string chromium = "/usr/bin/chromium";
        Assert.True(File.Exists(chromium), "Debian's chromium is needed for the browser test; ./test.sh installs it with apt.");
        var screenshot = Path.Combine(RepositoryPaths.Root, ".test-output", "chat-two-users.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);

        var r = await NodeScenario.RunAsync("chat-browser", chat.Url, timeout: TimeSpan.FromSeconds(60),
            input: new { chromium, screenshot });

        Assert.Contains("alice: Hello from Alice", r.GetProperty("bobSees").EnumerateArray().Select(e => e.GetString()));
        Assert.StartsWith("online as alice", r.GetProperty("aliceStatus").GetString());
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is missing or empty");
    }
}
