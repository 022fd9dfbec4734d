using System.Collections.Concurrent;
using Gateways.Tests.Infrastructure;

namespace Gateways.Tests.Interop;

/// <summary>The socket.io features of issue #19 with the real socket.io-client 4.8 (Node, its <c>ws</c> transport):
/// onAny and the unhandled-event fallback, volatile events under a client that stops reading, and per-message
/// deflate.</summary>
public sealed class ParityInteropTests
{
    [Fact]
    public async Task OnAnyTheFallbackVolatileDropsAndDeflateWorkWithTheJavaScriptClient()
    {
        var seen = new ConcurrentQueue<string>();
        await using var server = await TestGatewayServer.StartAsync(gateways => gateways.AddNamespace("/parity", ns => ns
            .OnAny(context => seen.Enqueue(context.EventName))
            .On("seen", context => context.Ack((object)seen.ToArray()))
            .On("big", context => context.Ack(new string('x', context.Arguments.Get<int>(0))))
            .OnUnhandled(context =>
            {
                context.Ack($"fallback for {context.EventName} with {context.Arguments.Count}");
                return ValueTask.CompletedTask;
            })
            .On("volatile-stream", async context =>
            {
                // Incompressible, so deflate does not shrink what the client's buffers must hold.
                var payload = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(576 * 1024));
                var sent = 0;
                for (var i = 0; i < context.Arguments.Get<int>(0); i++)
                {
                    sent += context.Socket.EmitVolatile("tick", i, payload) ? 1 : 0;
                    await Task.Delay(context.Arguments.Get<int>(1));
                }
                context.Socket.Emit("done", sent);
            })), options => options.EngineIO.PerMessageDeflate.Enabled = true);

        var result = await NodeScenario.RunAsync("parity", server.Url, onStep: step =>
        {
            Console.WriteLine($"parity: {step}"); // the counts, in the test log
            return Task.CompletedTask;
        });

        Assert.Equal("""["permessage-deflate"]""", result.GetProperty("deflate").GetRawText());
        Assert.Equal(8192, result.GetProperty("bigLength").GetInt32());
        Assert.Equal("""["fallback for nobody-handles-this with 2"]""", result.GetProperty("fallback").GetRawText());
        Assert.Equal("""["big","nobody-handles-this","seen"]""", result.GetProperty("seen").GetRawText());
        // While the client read, ticks went out; once its buffers were full, ticks were dropped (a gap), not queued;
        // after it read again, ticks arrived again. Exactly the ones the server counted as sent arrived, in order,
        // and the connection and the ordinary event after them are unharmed.
        var sent = result.GetProperty("sent").GetInt32();
        var ticks = result.GetProperty("ticks").EnumerateArray().Select(t => t.GetInt32()).ToList();
        Assert.Equal(sent, ticks.Count);
        Assert.Equal(ticks.Order(), ticks);
        Assert.InRange(sent, 10, 145);
        Assert.Contains(ticks.Zip(ticks.Skip(1)), pair => pair.Second - pair.First > 5);
        Assert.Contains(ticks, index => index > 140);
        Assert.True(result.GetProperty("stillConnected").GetBoolean());
    }
}
