using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateways.Adapters.Redis;

/// <summary>One entry of a Redis stream: its id and its field/value pairs.</summary>
internal readonly record struct StreamEntry(string Id, Dictionary<string, RedisValue> Fields)
{
    /// <summary>Reads an entry of an <c>XREAD</c>/<c>XRANGE</c> reply: <c>[id, [field, value, …]]</c>.</summary>
    public static StreamEntry Parse(RedisResult entry)
    {
        var parts = (RedisResult[])entry!;
        var pairs = (RedisResult[])parts[1]!;
        var fields = new Dictionary<string, RedisValue>(pairs.Length / 2, StringComparer.Ordinal);
        for (var i = 0; i + 1 < pairs.Length; i += 2)
        {
            fields[(string)pairs[i]!] = (RedisValue)pairs[i + 1];
        }
        return new StreamEntry((string)parts[0]!, fields);
    }

    /// <summary>Orders two stream ids (<c>milliseconds-sequence</c>) as Redis does.</summary>
    public static int Compare(string a, string b)
    {
        var (am, asq) = Split(a);
        var (bm, bsq) = Split(b);
        return am != bm ? am.CompareTo(bm) : asq.CompareTo(bsq);
    }

    /// <summary>Whether a client's offset has the shape of a stream id (Node's check too).</summary>
    public static bool IsId(string value)
    {
        var dash = value.IndexOf('-');
        return dash > 0 && dash < value.Length - 1 && value.AsSpan(0, dash).IndexOfAnyExceptInRange('0', '9') < 0
            && value.AsSpan(dash + 1).IndexOfAnyExceptInRange('0', '9') < 0 && value.Length <= 41;
    }

    private static (ulong Ms, ulong Seq) Split(string id)
    {
        var dash = id.IndexOf('-');
        return dash < 0 ? (ulong.Parse(id), 0) : (ulong.Parse(id.AsSpan(0, dash)), ulong.Parse(id.AsSpan(dash + 1)));
    }
}

/// <summary>
/// Reads one Redis stream for every namespace of this server that writes to it (<c>XREAD BLOCK</c> on a connection of
/// its own, since a blocking read holds its connection), from the entry that was newest when it started, and hands
/// each entry to the namespace it names. It also knows the newest entry id seen, which a connecting socket records.
/// While Redis is away it retries once a second and logs once per outage.
/// </summary>
internal sealed class RedisStreamReader : IDisposable
{
    private static readonly TimeSpan Block = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<string, Action<StreamEntry>> _namespaces = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lazy<ConnectionMultiplexer> _blocking;
    private readonly string _stream;
    private readonly int _count;
    private readonly ILogger _logger;
    private readonly Lock _lastIdLock = new();
    private string? _lastId;
    private int _started;

    public RedisStreamReader(Func<TimeSpan, ConnectionMultiplexer> connect, string stream, int count, ILogger logger)
    {
        _stream = stream;
        _count = count;
        _logger = logger;
        _blocking = new Lazy<ConnectionMultiplexer>(() => connect(Block + TimeSpan.FromSeconds(5)));
    }

    /// <summary>The newest entry id this server has read or added; null until the first read.</summary>
    public string? LastId
    {
        get
        {
            lock (_lastIdLock)
            {
                return _lastId;
            }
        }
    }

    /// <summary>Records an id this server added (it is read back later, but a socket connecting now must start after it).</summary>
    public void Observe(string id)
    {
        lock (_lastIdLock)
        {
            if (_lastId is null || StreamEntry.Compare(id, _lastId) > 0)
            {
                _lastId = id;
            }
        }
    }

    public void Register(string @namespace, Action<StreamEntry> onEntry)
    {
        _namespaces[@namespace] = onEntry;
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _ = Task.Run(ReadLoopAsync);
        }
    }

    public void Unregister(string @namespace) => _namespaces.TryRemove(@namespace, out _);

    private async Task ReadLoopAsync()
    {
        string? after = null;
        var failing = false;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var database = _blocking.Value.GetDatabase();
                // Start after the newest entry at startup ("$" would miss what is added between two reads).
                after ??= await NewestIdAsync(database);
                var reply = await database.ExecuteAsync("XREAD", "COUNT", _count, "BLOCK", (long)Block.TotalMilliseconds, "STREAMS", _stream, after);
                if (failing)
                {
                    failing = false;
                    RedisAdapterLog.ConnectionRestored(_logger);
                }
                if (reply.IsNull)
                {
                    continue;
                }
                var entries = EntriesOf(reply);
                foreach (var raw in entries)
                {
                    var entry = StreamEntry.Parse(raw);
                    after = entry.Id;
                    Observe(entry.Id);
                    if (entry.Fields.TryGetValue("nsp", out var nsp) && _namespaces.TryGetValue(nsp!, out var onEntry))
                    {
                        onEntry(entry);
                    }
                }
            }
            catch (Exception ex) when (!_stop.IsCancellationRequested)
            {
                if (!failing)
                {
                    failing = true;
                    RedisAdapterLog.Unreachable(_logger, $"reading stream '{_stream}': {ex.Message}");
                }
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    // XREAD's reply is a map of stream → entries under RESP3 (flattened to [name, entries]) and [[name, entries]] under RESP2.
    private static RedisResult[] EntriesOf(RedisResult reply)
    {
        var items = (RedisResult[])reply!;
        return reply.Resp3Type == ResultType.Map ? (RedisResult[])items[1]! : (RedisResult[])((RedisResult[])items[0]!)[1]!;
    }

    private async Task<string> NewestIdAsync(IDatabase database)
    {
        var newest = (RedisResult[])(await database.ExecuteAsync("XREVRANGE", _stream, "+", "-", "COUNT", 1))!;
        var id = newest.Length == 0 ? "0-0" : StreamEntry.Parse(newest[0]).Id;
        Observe(id);
        return id;
    }

    public void Dispose()
    {
        _stop.Cancel();
        if (_blocking.IsValueCreated)
        {
            _blocking.Value.Dispose();
        }
    }
}
