using Gateways.Tests.Infrastructure;
using SocketIOClient;
using SocketIOClient.Transport;

namespace Gateways.Tests.Interop;

/// <summary>The .NET client SocketIOClient 3.0.6, over WebSocket (its polling transport has known bugs).</summary>
public sealed class DotNetClientInteropTests
{
    [Fact]
    public async Task SocketIOClientConnectsWithAuthAndGetsAcksAndServerEvents()
    {
        await using var server = await InteropServer.StartAsync();
        using var client = new SocketIOClient.SocketIO(new Uri(server.Url + "/private"), new SocketIOOptions
        {
            Transport = TransportProtocol.WebSocket,
            Auth = new { token = "letmein" },
            Reconnection = false,
        });
        var whoami = new TaskCompletionSource<(string?, string?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await ConnectAsync(client);
        await client.EmitAsync("whoami", response => whoami.TrySetResult((response.GetValue<string>(0), response.GetValue<string>(1))));

        Assert.True(client.Connected);
        Assert.Equal(("trusted", "/private"), await whoami.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await client.DisconnectAsync();
    }

    [Fact]
    public async Task SocketIOClientReceivesBroadcastsAndBinary()
    {
        await using var server = await InteropServer.StartAsync();
        using var client = new SocketIOClient.SocketIO(new Uri(server.Url), new SocketIOOptions
        {
            Transport = TransportProtocol.WebSocket,
            Reconnection = false,
        });
        var pushed = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var broadcast = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.On("bytes", response => pushed.TrySetResult(response.GetValue<byte[]>(0)));
        client.On("everyone", _ => broadcast.TrySetResult("everyone"));

        await ConnectAsync(client);
        await client.EmitAsync("echo-binary", new byte[] { 5, 6 }, "label");
        await client.EmitAsync("to-all", "everyone");

        Assert.Equal(new byte[] { 9, 8, 7, 255 }, await pushed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("everyone", await broadcast.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await client.DisconnectAsync();
    }

    /// <summary>SocketIOClient 3.0.6's ConnectAsync can return before the namespace CONNECT answer arrived; wait for
    /// its OnConnected event instead.</summary>
    private static async Task ConnectAsync(SocketIOClient.SocketIO client)
    {
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.OnConnected += (_, _) => connected.TrySetResult();
        client.OnError += (_, error) => connected.TrySetException(new InvalidOperationException(error));
        await client.ConnectAsync();
        await connected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(client.Connected);
    }
}
