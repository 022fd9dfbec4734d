// A Socket.IO load generator over raw WebSockets (no client library in the way), cheap enough not to be the limit.
// dotnet run -c Release --project bench/LoadGen -- --url http://127.0.0.1:3100 --scenario echo --clients 100 --seconds 10
using System.Buffers.Text;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;

var options = LoadOptions.Parse(args);
if (options.Scenario == "fanout")
{
    return await Fanout.RunAsync(options);
}
if (options.Scenario != "echo")
{
    Console.Error.WriteLine($"scenario '{options.Scenario}' is not implemented yet; available: echo, fanout");
    return 2;
}

var payload = new string('x', options.PayloadBytes);
var clients = new List<EchoClient>();
for (var i = 0; i < options.Clients; i++)
{
    clients.Add(await EchoClient.ConnectAsync(options.Url, payload));
}

var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
var stop = new CancellationTokenSource(TimeSpan.FromSeconds(options.Seconds));
var clock = Stopwatch.StartNew();
await Task.WhenAll(clients.Select(c => c.RunAsync(stop.Token)));
var elapsed = clock.Elapsed;
var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

var latencies = clients.SelectMany(c => c.Latencies).Order().ToArray();
var acks = latencies.Length;
double Percentile(double p) => latencies.Length == 0 ? 0 : latencies[(int)Math.Min(latencies.Length - 1, p * latencies.Length)] * 1000.0 / Stopwatch.Frequency;
Console.WriteLine($"scenario=echo clients={options.Clients} seconds={elapsed.TotalSeconds:F1} acks={acks} " +
    $"acks_per_s={acks / elapsed.TotalSeconds:F0} p50_ms={Percentile(0.50):F3} p99_ms={Percentile(0.99):F3} " +
    $"loadgen_cpu_us_per_ack={(acks == 0 ? 0 : cpu.TotalMicroseconds / acks):F1}");
foreach (var client in clients)
{
    await client.DisposeAsync();
}
return 0;

internal sealed record LoadOptions(Uri Url, string Scenario, int Clients, int Seconds, int PayloadBytes)
{
    public static LoadOptions Parse(string[] args)
    {
        string Value(string name, string fallback)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
        }
        return new LoadOptions(new Uri(Value("--url", "http://127.0.0.1:3100")), Value("--scenario", "echo"),
            int.Parse(Value("--clients", "100")), int.Parse(Value("--seconds", "10")), int.Parse(Value("--payload", "16")));
    }
}

/// <summary>One client in a closed loop of emit-with-ack: send, wait for the ack, record the round trip, repeat.</summary>
internal sealed class EchoClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly byte[] _suffix;
    private readonly byte[] _buffer = new byte[4096];
    private readonly byte[] _frame = new byte[4096];

    private EchoClient(ClientWebSocket socket, string payload)
    {
        _socket = socket;
        _suffix = Encoding.UTF8.GetBytes($"[\"echo\",\"{payload}\"]");
    }

    public List<long> Latencies { get; } = new(100_000);

    public ClientWebSocket Socket => _socket;

    public static async Task<EchoClient> ConnectAsync(Uri url, string payload)
    {
        var socket = new ClientWebSocket();
        var ws = new UriBuilder(url) { Scheme = "ws", Path = "/socket.io/", Query = "EIO=4&transport=websocket" }.Uri;
        await socket.ConnectAsync(ws, CancellationToken.None);
        var client = new EchoClient(socket, payload);
        await client.ReceiveTextAsync(); // open packet
        await socket.SendAsync("40"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        while (!(await client.ReceiveTextAsync()).StartsWith("40", StringComparison.Ordinal))
        {
        }
        return client;
    }

    public async Task RunAsync(CancellationToken stop)
    {
        long id = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                id++;
                // 42<id>["echo","payload"], written without allocating.
                _frame[0] = (byte)'4';
                _frame[1] = (byte)'2';
                Utf8Formatter.TryFormat(id, _frame.AsSpan(2), out var digits);
                _suffix.CopyTo(_frame, 2 + digits);
                var started = Stopwatch.GetTimestamp();
                await _socket.SendAsync(_frame.AsMemory(0, 2 + digits + _suffix.Length), WebSocketMessageType.Text, true, CancellationToken.None);
                while (true)
                {
                    var length = await ReceiveAsync();
                    if (length == 1 && _buffer[0] == (byte)'2')
                    {
                        await _socket.SendAsync("3"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
                        continue;
                    }
                    if (length > 2 && _buffer[0] == (byte)'4' && _buffer[1] == (byte)'3')
                    {
                        break;
                    }
                }
                Latencies.Add(Stopwatch.GetTimestamp() - started);
            }
        }
        catch (WebSocketException)
        {
            // The server went away; the run reports what was measured.
        }
    }

    public async Task<int> ReceiveAsync()
    {
        var result = await _socket.ReceiveAsync(_buffer.AsMemory(), CancellationToken.None);
        var length = result.Count;
        while (!result.EndOfMessage)
        {
            result = await _socket.ReceiveAsync(_buffer.AsMemory(length), CancellationToken.None);
            length += result.Count;
        }
        return length;
    }

    public byte[] Buffer => _buffer;

    public async Task<string> ReceiveTextAsync() => Encoding.UTF8.GetString(_buffer, 0, await ReceiveAsync());

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
        catch (WebSocketException)
        {
        }
        _socket.Dispose();
    }
}
