using System.Buffers.Text;
using System.Diagnostics;
using System.Text;

namespace LoadGen;

internal static class Scenarios
{
    /// <summary>N clients in a closed loop of emit-with-ack (raw: send, wait for the echo): acks/s, round trip p50/p99.</summary>
    public static async Task<int> EchoAsync(LoadOptions options)
    {
        var clients = await ConnectManyAsync(options, options.Clients);
        var payload = new string('x', options.PayloadBytes);
        var latencies = clients.Select(_ => new List<long>(200_000)).ToArray();
        var measured = await MeasureAsync(options, stop => Task.WhenAll(clients.Select((client, i) => EchoLoopAsync(client, options.Protocol, payload, latencies[i], stop))));
        var all = latencies.SelectMany(l => l).Order().ToArray();
        Report(options, measured, all.Length, all, "acks", engine: "async");
        await DisposeAllAsync(clients);
        return 0;
    }

    private static async Task EchoLoopAsync(BenchClient client, Protocol protocol, string payload, List<long> latencies, CancellationToken stop)
    {
        // 42<id>["echo","payload"] is written in place, without allocating; raw sends the payload alone.
        var suffix = Encoding.UTF8.GetBytes($"[\"echo\",\"{payload}\"]");
        var raw = Encoding.UTF8.GetBytes(payload);
        var frame = new byte[suffix.Length + 24];
        long id = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var length = raw.Length;
                if (protocol == Protocol.SocketIO)
                {
                    frame[0] = (byte)'4';
                    frame[1] = (byte)'2';
                    Utf8Formatter.TryFormat(++id, frame.AsSpan(2), out var digits);
                    suffix.CopyTo(frame, 2 + digits);
                    length = 2 + digits + suffix.Length;
                }
                else
                {
                    raw.CopyTo(frame, 0);
                }
                var started = Stopwatch.GetTimestamp();
                await client.Socket.SendTextAsync(frame.AsSpan(0, length));
                if (protocol == Protocol.SocketIO)
                {
                    await client.WaitForAnswerAsync();
                }
                else
                {
                    await client.ReceiveAsync();
                }
                latencies.Add(Stopwatch.GetTimestamp() - started);
            }
        }
        catch (IOException)
        {
            // The server went away; the run reports what was measured.
        }
    }

    /// <summary>N receivers in one room and one sender broadcasting to it, up to --inflight broadcasts at a time. A
    /// broadcast is complete when every receiver got it and the sender got its ack: deliveries/s, completion p50/p99.</summary>
    public static async Task<int> FanoutAsync(LoadOptions options)
    {
        var receivers = await ConnectManyAsync(options, options.Clients);
        var join = options.Protocol == Protocol.SocketIO ? "420[\"join\",\"fanout\"]"u8.ToArray() : "J"u8.ToArray();
        foreach (var receiver in receivers)
        {
            await receiver.Socket.SendTextAsync(join);
            await receiver.WaitForAnswerAsync();
        }
        var sender = await BenchClient.ConnectAsync(options.Url, options.Protocol);
        var body = new string('x', options.PayloadBytes);
        var broadcast = options.Protocol == Protocol.SocketIO
            ? Encoding.UTF8.GetBytes($"421[\"broadcast\",\"fanout\",\"{body}\"]")
            : Encoding.UTF8.GetBytes("B" + body);
        var window = Math.Max(1, options.InFlight);
        var tracker = new FanoutTracker(receivers.Count, window);
        var completions = new List<long>(100_000);
        var measured = await MeasureAsync(options, async stop =>
        {
            using var ending = new CancellationTokenSource();
            var listening = receivers.Select(r => ReceiveBroadcastsAsync(r, options.Protocol, tracker, ending.Token)).ToArray();
            var slots = new SemaphoreSlim(window);
            var acks = Task.Run(async () =>
            {
                // The sender's acks come back in order; each frees a slot once its broadcast completed everywhere.
                for (long k = 0; ; k++)
                {
                    await sender.WaitForAnswerAsync();
                    var started = await tracker.WaitForCompletionAsync(k);
                    lock (completions)
                    {
                        completions.Add(Stopwatch.GetTimestamp() - started);
                    }
                    slots.Release();
                }
            });
            long sent = 0;
            while (!stop.IsCancellationRequested)
            {
                await slots.WaitAsync();
                tracker.Start(sent++);
                await sender.Socket.SendTextAsync(broadcast);
            }
            for (var i = 0; i < window; i++)
            {
                await slots.WaitAsync(TimeSpan.FromSeconds(5));
            }
            ending.Cancel();
        });
        var sorted = completions.Order().ToArray();
        Report(options, measured, sorted.LongLength * receivers.Count, sorted, "deliveries");
        await DisposeAllAsync([.. receivers, sender]);
        return 0;
    }

    /// <summary>Counts the broadcasts one receiver gets (answering pings on the way) until the run ends or the connection does.</summary>
    internal static async Task ReceiveBroadcastsAsync(BenchClient receiver, Protocol protocol, FanoutTracker tracker, CancellationToken ending)
    {
        long k = 0;
        try
        {
            while (!ending.IsCancellationRequested)
            {
                var message = await receiver.ReceiveAsync();
                if (protocol == Protocol.Raw || message.Span.StartsWith("42[\"bcast\""u8))
                {
                    tracker.Delivered(k++);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Full handshakes (raw: the WebSocket upgrade alone) by --concurrency workers, each closing and
    /// reconnecting: connections/s and handshake p50/p99.</summary>
    public static async Task<int> ConnectAsync(LoadOptions options)
    {
        var latencies = Enumerable.Range(0, options.Concurrency).Select(_ => new List<long>(10_000)).ToArray();
        var measured = await MeasureAsync(options, stop => Task.WhenAll(latencies.Select(async list =>
        {
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                var client = await BenchClient.ConnectAsync(options.Url, options.Protocol);
                list.Add(Stopwatch.GetTimestamp() - started);
                await client.DisposeAsync();
            }
        })));
        var all = latencies.SelectMany(l => l).Order().ToArray();
        Report(options, measured, all.Length, all, "connections");
        return 0;
    }

    /// <summary>N idle connections: the server's resident memory before and after (--server-pid), per connection.</summary>
    public static async Task<int> IdleAsync(LoadOptions options)
    {
        if (options.ServerPid == 0)
        {
            Console.Error.WriteLine("idle needs --server-pid");
            return 2;
        }
        var before = ResidentKilobytes(options.ServerPid);
        var clients = await ConnectManyAsync(options, options.Clients);
        var idling = clients.Select(c => c.IdleAsync()).ToArray();
        // Let the server settle (and a GC run) before reading its memory.
        await Task.Delay(TimeSpan.FromSeconds(Math.Max(3, options.Seconds)));
        var after = ResidentKilobytes(options.ServerPid);
        Console.WriteLine($"scenario=idle protocol={options.Protocol} clients={clients.Count} rss_before_kb={before} rss_after_kb={after} " +
            $"kb_per_connection={(after - before) / (double)clients.Count:F1}");
        await DisposeAllAsync(clients);
        await Task.WhenAll(idling);
        return 0;
    }

    internal static long ResidentKilobytes(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);

    // ---- shared ----

    private static async Task<List<BenchClient>> ConnectManyAsync(LoadOptions options, int count)
    {
        var clients = new BenchClient[count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Math.Min(count, 50)).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                clients[i] = await BenchClient.ConnectAsync(options.Url, options.Protocol);
            }
        }));
        return [.. clients];
    }

    private static async Task DisposeAllAsync(IEnumerable<BenchClient> clients) =>
        await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));

    internal readonly record struct Measured(TimeSpan Elapsed, TimeSpan Cpu, TimeSpan ServerCpu);

    /// <summary>Runs the measured window: its wall time, the generator's CPU and (with --server-pid) the server's CPU,
    /// both over the window alone, not the connection set-up around it.</summary>
    internal static async Task<Measured> MeasureAsync(LoadOptions options, Func<CancellationToken, Task> run)
    {
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var serverBefore = ServerCpu(options.ServerPid);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(options.Seconds));
        var clock = Stopwatch.StartNew();
        await run(stop.Token);
        var elapsed = clock.Elapsed;
        var serverCpu = ServerCpu(options.ServerPid) - serverBefore;
        process.Refresh();
        return new Measured(elapsed, process.TotalProcessorTime - cpuBefore, serverCpu);
    }

    /// <summary>User plus system time of a process, from /proc (clock ticks of 10 ms).</summary>
    private static TimeSpan ServerCpu(int pid)
    {
        if (pid == 0)
        {
            return TimeSpan.Zero;
        }
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return TimeSpan.FromMilliseconds((long.Parse(fields[11]) + long.Parse(fields[12])) * 10);
    }

    /// <summary>Prints the run's one line; <paramref name="engine"/> names the echo loop that measured.</summary>
    internal static void Report(LoadOptions options, Measured measured, long messages, long[] sortedTicks, string unit,
        string? engine = null)
    {
        double Percentile(double p) => sortedTicks.Length == 0 ? 0
            : sortedTicks[(int)Math.Min(sortedTicks.Length - 1, p * sortedTicks.Length)] * 1000.0 / Stopwatch.Frequency;
        Console.WriteLine($"scenario={options.Scenario} protocol={options.Protocol} clients={options.Clients} " +
            (engine is null ? "" : $"engine={engine} ") +
            $"seconds={measured.Elapsed.TotalSeconds:F1} {unit}={messages} rate={messages / measured.Elapsed.TotalSeconds:F0} " +
            $"p50_ms={Percentile(0.50):F3} p99_ms={Percentile(0.99):F3} " +
            $"loadgen_us_per_msg={(messages == 0 ? 0 : measured.Cpu.TotalMicroseconds / messages):F2} " +
            $"loadgen_core={measured.Cpu / measured.Elapsed:F2} server_core={measured.ServerCpu / measured.Elapsed:F2} " +
            $"server_us_per_msg={(messages == 0 ? 0 : measured.ServerCpu.TotalMicroseconds / messages):F2}");
    }
}

/// <summary>Counts deliveries per broadcast in a ring of --inflight slots: receivers see broadcasts in order, so the
/// k-th broadcast a receiver gets is broadcast k.</summary>
internal sealed class FanoutTracker(int receivers, int window)
{
    private readonly int[] _delivered = new int[window];
    private readonly long[] _started = new long[window];
    private readonly TaskCompletionSource<long>[] _completed = Enumerable.Range(0, window)
        .Select(_ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();

    public void Start(long k)
    {
        var slot = (int)(k % window);
        _delivered[slot] = 0;
        _started[slot] = Stopwatch.GetTimestamp();
        _completed[slot] = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Delivered(long k)
    {
        var slot = (int)(k % window);
        if (Interlocked.Increment(ref _delivered[slot]) == receivers)
        {
            Volatile.Read(ref _completed[slot]).TrySetResult(_started[slot]);
        }
    }

    public Task<long> WaitForCompletionAsync(long k) => Volatile.Read(ref _completed[(int)(k % window)]).Task;
}
