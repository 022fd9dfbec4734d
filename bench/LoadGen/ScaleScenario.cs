using System.Diagnostics;
using System.Net;
using System.Text;

namespace LoadGen;

/// <summary>
/// Many connections on one box (issue #22 item 5): --clients idle sockets spread over --sources loopback addresses
/// (127.0.0.1, .2, …: each has its own ~28,000 ephemeral ports), every one joined to one room; the server's resident
/// memory per connection; then --broadcasts broadcasts to all of them, one at a time, each complete when every
/// receiver got it and the sender its ack: completion p50/p99/max. Bounded: each phase has a deadline and the run
/// ends by itself, reporting what it reached.
/// </summary>
internal static class ScaleScenario
{
    private const string Room = "all";
    private static readonly TimeSpan ConnectDeadline = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan BroadcastDeadline = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(LoadOptions options)
    {
        if (options.ServerPid == 0)
        {
            Console.Error.WriteLine("scale needs --server-pid");
            return 2;
        }
        if (OpenFileLimit() is { } limit && limit < options.Clients + 100)
        {
            Console.Error.WriteLine($"scale: {options.Clients} clients need {options.Clients + 100} open files; this process may " +
                $"open {limit} (ulimit -n). bench/scale.sh raises it where the hard limit allows.");
            return 2;
        }
        var sources = options.Sources > 0 ? options.Sources : (options.Clients + 24_999) / 25_000;
        var rssBefore = Scenarios.ResidentKilobytes(options.ServerPid);
        var clock = Stopwatch.StartNew();
        var clients = await ConnectAllAsync(options, sources);
        var connectSeconds = clock.Elapsed.TotalSeconds;
        Console.Error.WriteLine($"scale: {clients.Count} connected and joined in {connectSeconds:F0} s");
        // One reader per client from here on: it answers pings while idle and counts broadcasts later.
        var tracker = new FanoutTracker(clients.Count, window: 1);
        using var ending = new CancellationTokenSource();
        var listening = clients.Select(c => Scenarios.ReceiveBroadcastsAsync(c, options.Protocol, tracker, ending.Token)).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(Math.Max(3, options.Seconds)));
        var rssIdle = Scenarios.ResidentKilobytes(options.ServerPid);
        var completions = await BroadcastAsync(options, tracker, clients.Count, sources);
        ending.Cancel();
        var rssAfter = Scenarios.ResidentKilobytes(options.ServerPid);
        double Percentile(double p) => completions.Length == 0 ? 0
            : completions[(int)Math.Min(completions.Length - 1, p * completions.Length)] * 1000.0 / Stopwatch.Frequency;
        Console.WriteLine($"scenario=scale protocol={options.Protocol} clients={clients.Count} sources={sources} " +
            $"connect_seconds={connectSeconds:F1} rss_before_kb={rssBefore} rss_idle_kb={rssIdle} " +
            $"kb_per_connection={(rssIdle - rssBefore) / (double)Math.Max(1, clients.Count):F1} " +
            $"broadcasts={completions.Length} completion_p50_ms={Percentile(0.50):F1} completion_p99_ms={Percentile(0.99):F1} " +
            $"completion_max_ms={(completions.Length == 0 ? 0 : completions[^1] * 1000.0 / Stopwatch.Frequency):F1} " +
            $"rss_after_broadcasts_kb={rssAfter}");
        await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
        await Task.WhenAll(listening);
        // Short of the connections or the broadcasts asked for (a deadline passed): the line says how far it got.
        return clients.Count == options.Clients && completions.Length == options.Broadcasts ? 0 : 1;
    }

    private static IPAddress Source(int i, int sources) => new([127, 0, 0, (byte)(1 + i % sources)]);

    /// <summary>Connects and joins every client, 50 at a time (the server's cap on sessions not yet connected per
    /// address is 64).</summary>
    private static async Task<List<BenchClient>> ConnectAllAsync(LoadOptions options, int sources)
    {
        var clients = new BenchClient[options.Clients];
        var join = options.Protocol == Protocol.SocketIO ? Encoding.UTF8.GetBytes($"420[\"join\",\"{Room}\"]") : "J"u8.ToArray();
        var next = -1;
        var connected = 0;
        using var deadline = new CancellationTokenSource(ConnectDeadline);
        await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < clients.Length && !deadline.IsCancellationRequested)
            {
                var client = await BenchClient.ConnectAsync(options.Url, options.Protocol, Source(i, sources), small: true);
                await client.Socket.SendTextAsync(join);
                await client.WaitForAnswerAsync();
                clients[i] = client;
                if (Interlocked.Increment(ref connected) % 10_000 == 0)
                {
                    Console.Error.WriteLine($"scale: {connected} connected");
                }
            }
        }));
        return [.. clients.Where(c => c is not null)];
    }

    /// <summary>One broadcast at a time to every client; returns the completion times, sorted (Stopwatch ticks).</summary>
    private static async Task<long[]> BroadcastAsync(LoadOptions options, FanoutTracker tracker, int receivers, int sources)
    {
        var sender = await BenchClient.ConnectAsync(options.Url, options.Protocol, Source(receivers, sources));
        var body = new string('x', options.PayloadBytes);
        var broadcast = options.Protocol == Protocol.SocketIO
            ? Encoding.UTF8.GetBytes($"421[\"broadcast\",\"{Room}\",\"{body}\"]")
            : Encoding.UTF8.GetBytes("B" + body);
        var completions = new List<long>(options.Broadcasts);
        for (long k = 0; k < options.Broadcasts; k++)
        {
            tracker.Start(k);
            await sender.Socket.SendTextAsync(broadcast);
            var everywhere = tracker.WaitForCompletionAsync(k);
            if (await Task.WhenAny(everywhere, Task.Delay(BroadcastDeadline)) != everywhere)
            {
                Console.Error.WriteLine($"scale: broadcast {k} did not reach every client within {BroadcastDeadline.TotalSeconds} s");
                break;
            }
            await sender.WaitForAnswerAsync();
            completions.Add(Stopwatch.GetTimestamp() - await everywhere);
        }
        await sender.DisposeAsync();
        return [.. completions.Order()];
    }

    /// <summary>This process's soft limit on open files, from /proc (null where there is none to read).</summary>
    private static long? OpenFileLimit()
    {
        const string path = "/proc/self/limits";
        if (!File.Exists(path))
        {
            return null;
        }
        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var fields = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields is { Length: > 3 } && long.TryParse(fields[3], out var soft) ? soft : null;
    }
}
