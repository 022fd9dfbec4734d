using Gateways.Hosting;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Tests.Protocol;

/// <summary>Emits to one socket from a burst with large frames, binary attachments and pauses.</summary>
[WebSocketGateway("/order")]
public sealed class BurstGateway
{
    public const int Count = 400;
    public const int LargeSize = 100_000;

    /// <summary>Every 7th item is 100 KB (its send cannot finish at once, so the frames behind it queue); every 10th
    /// carries a binary attachment (two frames that must stay together). The handler yields between items, so its
    /// sends race the writer loop that drains the queue, and pauses every 50th, so the queue empties and sends go
    /// straight to the socket again.</summary>
    [SubscribeMessage("burst")]
    public async Task<string> Burst([ConnectedSocket] IGatewaySocket client)
    {
        var large = new string('x', LargeSize);
        for (var i = 0; i < Count; i++)
        {
            if (i % 10 == 3)
            {
                client.Emit("item", i, new byte[] { (byte)i, (byte)(i >> 8) });
            }
            else
            {
                client.Emit("item", i, i % 7 == 0 ? large : "small");
            }
            if (i % 50 == 49)
            {
                await Task.Delay(5);
            }
            else
            {
                await Task.Yield();
            }
        }
        return "done";
    }
}

/// <summary>What a client relies on: the events one handler emits arrive in the order emitted, whole, whether each frame
/// was written straight from the handler's thread or waited in the session's queue behind a large one.</summary>
public sealed class SendOrderTests
{
    [Fact]
    public async Task EventsFromOneSenderArriveInOrderThroughDirectAndQueuedWrites()
    {
        await using var server = await TestGatewayServer.StartAsync(gateways => gateways.AddGateway<BurstGateway>());
        await using var client = await GatewayTestClient.ConnectAsync(new Uri(server.Url),
            new GatewayTestClientOptions { Namespace = "/order", Timeout = TimeSpan.FromSeconds(30) });

        Assert.Equal("done", await client.EmitWithAckAsync<string>("burst"));

        // The ack was sent after the last item, so every item is already here.
        var items = client.Events.Where(e => e.Name == "item").ToList();
        Assert.Equal(BurstGateway.Count, items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var arguments = items[i].Arguments;
            Assert.Equal(i, arguments.Get<int>(0));
            if (i % 10 == 3)
            {
                Assert.Equal(new[] { (byte)i, (byte)(i >> 8) }, arguments.GetBinary(1).ToArray());
            }
            else
            {
                Assert.Equal(i % 7 == 0 ? BurstGateway.LargeSize : 5, arguments.Get<string>(1)!.Length);
            }
        }
    }
}
