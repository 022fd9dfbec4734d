using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;

/// <summary>
/// N receivers in one room and one sender broadcasting to it in a closed loop: each broadcast counts as complete when
/// every receiver got it. Reports deliveries/s and broadcast completion p50/p99.
/// </summary>
internal static class Fanout
{
    public static async Task<int> RunAsync(LoadOptions options)
    {
        var receivers = new List<EchoClient>();
        for (var i = 0; i < options.Clients; i++)
        {
            var client = await EchoClient.ConnectAsync(options.Url, "");
            await SendAsync(client.Socket, "420[\"join\",\"fanout\"]");
            await WaitForAckAsync(client);
            receivers.Add(client);
        }
        var sender = await EchoClient.ConnectAsync(options.Url, "");
        // With an ack id, as the contract's broadcast(room, payload, ack) expects; the sender waits for it too.
        var payload = Encoding.UTF8.GetBytes($"421[\"broadcast\",\"fanout\",\"{new string('x', options.PayloadBytes)}\"]");

        var completions = new List<long>();
        var stop = Stopwatch.StartNew();
        long deliveries = 0;
        while (stop.Elapsed < TimeSpan.FromSeconds(options.Seconds))
        {
            var started = Stopwatch.GetTimestamp();
            await sender.Socket.SendAsync(payload, WebSocketMessageType.Text, true, CancellationToken.None);
            await Task.WhenAll(receivers.Select(WaitForBroadcastAsync).Append(WaitForAckAsync(sender)));
            completions.Add(Stopwatch.GetTimestamp() - started);
            deliveries += receivers.Count;
        }
        var elapsed = stop.Elapsed;
        completions.Sort();
        double Percentile(double p) => completions.Count == 0 ? 0 : completions[(int)Math.Min(completions.Count - 1, p * completions.Count)] * 1000.0 / Stopwatch.Frequency;
        Console.WriteLine($"scenario=fanout clients={options.Clients} seconds={elapsed.TotalSeconds:F1} broadcasts={completions.Count} " +
            $"deliveries_per_s={deliveries / elapsed.TotalSeconds:F0} p50_ms={Percentile(0.50):F3} p99_ms={Percentile(0.99):F3}");
        foreach (var client in receivers.Append(sender))
        {
            await client.DisposeAsync();
        }
        return 0;
    }

    private static Task SendAsync(ClientWebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task WaitForAckAsync(EchoClient client)
    {
        while (true)
        {
            var length = await client.ReceiveAsync();
            if (length == 1 && client.Buffer[0] == (byte)'2')
            {
                await SendAsync(client.Socket, "3");
                continue;
            }
            if (length > 2 && client.Buffer[0] == (byte)'4' && client.Buffer[1] == (byte)'3')
            {
                return;
            }
        }
    }

    /// <summary>Reads until the next "bcast" event, answering pings on the way; the sender's ack is ignored.</summary>
    private static async Task WaitForBroadcastAsync(EchoClient client)
    {
        while (true)
        {
            var length = await client.ReceiveAsync();
            if (length == 1 && client.Buffer[0] == (byte)'2')
            {
                await SendAsync(client.Socket, "3");
                continue;
            }
            if (length > 9 && client.Buffer.AsSpan(0, 9).SequenceEqual("42[\"bcast"u8))
            {
                return;
            }
        }
    }
}
