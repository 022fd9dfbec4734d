using Gateways.Tests.Infrastructure;
using Gateways.Tests.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateways.Tests.Hardening;

/// <summary>A socket's own room and a user's personal room carry what is meant for that socket or user alone:
/// nobody else joins them unless the app says so.</summary>
public sealed class PrivateRoomTests
{
    private static async Task<string?> AskAsync(RawSocketIOClient client, string eventName, string room, int ackId)
    {
        await client.SendTextAsync($"42{HardeningServer.Namespace},{ackId}[\"{eventName}\",\"{room}\"]");
        return await client.ReceiveTextAsync();
    }

    [Fact]
    public async Task AnotherUsersRoomAndAnotherSocketsRoomCannotBeJoined()
    {
        await using var server = await HardeningServer.StartAsync();
        var (alice, aliceAnswer) = await HardeningServer.ConnectAsync(server.Url, TestTokens.Create("alice"));
        var (bob, _) = await HardeningServer.ConnectAsync(server.Url, TestTokens.Create("bob"));
        await using var a = alice;
        await using var b = bob;
        var aliceSocket = HardeningServer.SocketId(aliceAnswer);

        Assert.Equal("""42/hardening,["exception",{"status":"error","message":"Room 'alice' is another user's private room.","cause":{"pattern":"join","data":"alice"}}]""",
            await AskAsync(bob, "join", "alice", 1));
        var refusal = "42/hardening,[\"exception\",{\"status\":\"error\",\"message\":\"Room '" + aliceSocket
            + "' is another socket's private room.\",\"cause\":{\"pattern\":\"join\",\"data\":\"" + aliceSocket + "\"}}]";
        Assert.Equal(refusal,
            await AskAsync(bob, "join", aliceSocket, 2));
        Assert.Equal("""43/hardening,3[false]""", await AskAsync(bob, "canJoin", "alice", 3));
        Assert.Equal("""43/hardening,4[true]""", await AskAsync(bob, "canJoin", "bob", 4));
        Assert.Equal("""43/hardening,5["joined"]""", await AskAsync(bob, "join", "lobby", 5));
        Assert.Equal("""43/hardening,6["joined"]""", await AskAsync(alice, "join", "alice", 6));

        // What is sent to Alice reaches Alice only.
        server.Services.GetRequiredService<IGatewayBroadcaster>().Of(HardeningServer.Namespace).SendToUser("alice", "secret", "for alice");
        Assert.Equal("""42/hardening,["secret","for alice"]""", await alice.ReceiveTextAsync());
        Assert.Equal("""43/hardening,7[true]""", await AskAsync(bob, "canJoin", "lobby", 7));
    }

    [Fact]
    public async Task ASocketThatJoinedAUsersRoomBeforeTheUserConnectedIsRemovedWhenTheUserArrives()
    {
        await using var server = await HardeningServer.StartAsync();
        var (mallory, _) = await HardeningServer.ConnectAsync(server.Url, TestTokens.Create("mallory"));
        await using var m = mallory;
        Assert.Equal("""43/hardening,1["joined"]""", await AskAsync(mallory, "join", "dave", 1));

        var (dave, _) = await HardeningServer.ConnectAsync(server.Url, TestTokens.Create("dave"));
        await using var d = dave;
        server.Services.GetRequiredService<IGatewayBroadcaster>().Of(HardeningServer.Namespace).SendToUser("dave", "secret", "for dave");

        Assert.Equal("""42/hardening,["secret","for dave"]""", await dave.ReceiveTextAsync());
        // The next frame Mallory sees is her own echo's answer, not Dave's secret.
        await mallory.SendTextAsync($"42{HardeningServer.Namespace},2[\"echo\",\"x\"]");
        Assert.Equal("""43/hardening,2["x"]""", await mallory.ReceiveTextAsync());
        Assert.True(server.Logs.Contains(LogLevel.Warning, "from room 'dave'"));
    }

    [Fact]
    public async Task AnAppCanOptInToJoiningPrivateRooms()
    {
        await using var server = await HardeningServer.StartAsync(options => options.AllowJoiningPrivateRooms = true);
        var (alice, _) = await HardeningServer.ConnectAsync(server.Url, TestTokens.Create("alice"));
        var (admin, _) = await HardeningServer.ConnectAsync(server.Url, TestTokens.Create("admin"));
        await using var a = alice;
        await using var b = admin;

        Assert.Equal("""43/hardening,1["joined"]""", await AskAsync(admin, "join", "alice", 1));
    }
}
