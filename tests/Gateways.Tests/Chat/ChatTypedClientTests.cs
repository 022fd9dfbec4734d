using Chat.Gateways;

namespace Gateways.Tests.Chat;

/// <summary>The chat's typed .NET client, generated from the seed's ChatGateway (and its IChatClient events).</summary>
[GatewayClient(typeof(ChatGateway))]
public sealed partial class ChatClient;

/// <summary>samples/Chat driven with the generated typed client only: every send and every listen is a typed
/// method, no event name appears here.</summary>
public sealed class ChatTypedClientTests(ChatSampleFixture chat) : IClassFixture<ChatSampleFixture>
{
    private Task<ChatClient> ConnectAsync(string user) =>
        ChatClient.ConnectAsync(new Uri(chat.Url), new() { Token = ChatSampleFixture.Token(user) });

    [Fact]
    public async Task TwoUsersChatThroughTheTypedClient()
    {
        var alice = await ConnectAsync("alice");
        await using var aliceConnection = alice.Connection;
        var bob = await ConnectAsync("bob");
        await using var bobConnection = bob.Connection;
        var room = "typed-" + Guid.NewGuid().ToString("N")[..8];

        Assert.Equal("ok", (await alice.JoinRoomAsync(new RoomDto { RoomId = room })).Status);
        Assert.Equal(room, (await alice.WaitForJoinedRoomAsync()).RoomId);
        await bob.JoinRoomAsync(new RoomDto { RoomId = room });

        var joined = await alice.WaitForNotificationAsync();
        Assert.Equal(("Another user joined", room, "bob"), (joined.Text, joined.RoomId, joined.UserId));
        Assert.Null(joined.Title);

        var saved = await alice.SendMessageAsync(new SendMessageDto { RoomId = room, Text = "hello bob" });
        Assert.Equal(("alice", room, "hello bob"), (saved.UserId, saved.RoomId, saved.Text));
        Assert.Equal(saved, await bob.WaitForNewMessageAsync());
        Assert.Equal(saved, await alice.WaitForNewMessageAsync());
    }
}
