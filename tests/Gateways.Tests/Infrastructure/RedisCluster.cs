using System.Diagnostics;
using System.Text;

namespace Gateways.Tests.Infrastructure;

/// <summary>
/// A real Redis Cluster on loopback for one test class: three masters with a replica each (six redis-server
/// processes, <c>redis-cli --cluster create</c>). Needs redis-server and redis-cli on PATH (./test.sh installs them).
/// </summary>
public sealed class RedisCluster : IAsyncLifetime
{
    private const int Nodes = 6;
    private readonly Dictionary<int, Process> _processes = [];
    private readonly Dictionary<int, StringBuilder> _logs = [];
    private readonly string _directory = Directory.CreateTempSubdirectory("gateways-redis-cluster-").FullName;

    public IReadOnlyList<int> Ports { get; private set; } = [];

    /// <summary>A StackExchange.Redis configuration naming every node.</summary>
    public string Configuration => string.Join(',', Ports.Select(port => $"127.0.0.1:{port}"));

    public async Task InitializeAsync()
    {
        Ports = [.. Enumerable.Range(0, Nodes).Select(_ => ProcessRunner.FreePort())];
        foreach (var port in Ports)
        {
            try
            {
                _processes[port] = ProcessRunner.Start("redis-server", [
                    "--port", $"{port}", "--bind", "127.0.0.1", "--cluster-enabled", "yes",
                    "--cluster-config-file", $"nodes-{port}.conf", "--cluster-node-timeout", "2000",
                    "--repl-diskless-sync-delay", "0",
                    "--save", "", "--appendonly", "no", "--dir", _directory,
                ], _directory, null, out var log);
                _logs[port] = log;
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new InvalidOperationException("The Redis Cluster tests need redis-server and redis-cli on PATH: run ./test.sh (it installs them).", ex);
            }
        }
        foreach (var port in Ports)
        {
            await WaitAsync(async () => (await CliAsync(port, "ping")).Trim() == "PONG", $"redis-server on {port} did not start");
        }
        await ProcessRunner.RunAsync("redis-cli", [
            "--cluster", "create", .. Ports.Select(port => $"127.0.0.1:{port}"), "--cluster-replicas", "1", "--cluster-yes",
        ], _directory, TimeSpan.FromSeconds(60));
        foreach (var port in Ports)
        {
            await WaitAsync(async () => (await CliAsync(port, "cluster", "info")).Contains("cluster_state:ok", StringComparison.Ordinal),
                $"node {port} never saw the cluster as ok");
        }
        await WaitAsync(async () => (await ReplicasAsync()).Count == Nodes / 2, "the replicas never attached");
        // A replica that has not synced once refuses to take over: wait for every link, so a failover can happen.
        foreach (var port in Ports)
        {
            await WaitAsync(async () =>
            {
                var replication = await CliAsync(port, "info", "replication");
                return replication.Contains("role:master", StringComparison.Ordinal)
                    || replication.Contains("master_link_status:up", StringComparison.Ordinal);
            }, $"replica {port} never synced with its master");
        }
    }

    /// <summary>The master that serves the hash slot of <paramref name="key"/> (a sharded channel name is a key).</summary>
    public async Task<int> MasterOfAsync(string key)
    {
        var slot = int.Parse((await CliAsync(LivePort, "cluster", "keyslot", key)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        foreach (var line in (await CliAsync(LivePort, "cluster", "nodes")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            if (!fields[2].Contains("master", StringComparison.Ordinal) || fields[2].Contains("fail", StringComparison.Ordinal))
            {
                continue;
            }
            foreach (var range in fields.Skip(8))
            {
                var bounds = range.Split('-');
                var (low, high) = (int.Parse(bounds[0], System.Globalization.CultureInfo.InvariantCulture),
                    int.Parse(bounds[^1], System.Globalization.CultureInfo.InvariantCulture));
                if (slot >= low && slot <= high)
                {
                    return int.Parse(fields[1].Split('@')[0].Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        throw new InvalidOperationException($"No master serves slot {slot}.");
    }

    /// <summary>Kills (SIGKILL) the master serving <paramref name="key"/> and waits until a replica has taken its
    /// slots over and the cluster is ok again; returns the new master's port.</summary>
    public async Task<int> KillMasterOfAsync(string key)
    {
        var master = await MasterOfAsync(key);
        _processes.Remove(master, out var process);
        process!.Kill();
        process.Dispose();
        var promoted = master;
        try
        {
            await WaitAsync(async () =>
            {
                promoted = await MasterOfAsync(key);
                return promoted != master
                    && (await CliAsync(LivePort, "cluster", "info")).Contains("cluster_state:ok", StringComparison.Ordinal);
            }, $"no replica took over from {master}", TimeSpan.FromSeconds(30));
        }
        catch (Exception ex)
        {
            var logs = string.Join("\n", _logs.Where(l => _processes.ContainsKey(l.Key)).Select(l => $"--- {l.Key}\n{string.Join("\n", l.Value.ToString().Split('\n').TakeLast(12))}"));
            throw new InvalidOperationException($"{ex.Message}; the cluster as {LivePort} sees it:\n{await CliAsync(LivePort, "cluster", "nodes")}\n{logs}", ex);
        }
        return promoted;
    }

    public Task DisposeAsync()
    {
        foreach (var process in _processes.Values)
        {
            process.Kill();
            process.Dispose();
        }
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
        return Task.CompletedTask;
    }

    private int LivePort => _processes.Keys.First();

    private async Task<IReadOnlyList<string>> ReplicasAsync() =>
        [.. (await CliAsync(Ports[0], "cluster", "nodes")).Split('\n').Where(line => line.Contains("slave", StringComparison.Ordinal) && !line.Contains("fail", StringComparison.Ordinal))];

    /// <summary>Runs a redis-cli command against one node.</summary>
    public Task<string> CliAsync(int port, params string[] command) =>
        ProcessRunner.RunAsync("redis-cli", ["-p", $"{port}", .. command], _directory, TimeSpan.FromSeconds(10));

    private async Task WaitAsync(Func<Task<bool>> condition, string failure, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (InvalidOperationException) when (DateTime.UtcNow < deadline)
            {
                // redis-cli failed (the node is not up yet): try again.
            }
            if (DateTime.UtcNow > deadline)
            {
                var logs = string.Join("\n", _logs.Select(pair => $"--- {pair.Key}\n{pair.Value}"));
                throw new TimeoutException($"{failure}.\n{logs}");
            }
            await Task.Delay(200);
        }
    }
}
