using Gateways.Tests.Infrastructure;

namespace Gateways.Tests.Recovery;

/// <summary>Connection state recovery across a cluster of three on the Redis Streams adapter (two .NET servers and a
/// Node one): the unmodified socket.io-client, behind a load balancer, loses the server it was on — its connection cut, or the server shut down as in a deploy —
/// and recovers on another one, .NET or Node's socket.io with <c>@socket.io/redis-streams-adapter</c>: the same socket
/// id, its rooms, and every event sent while it was away, each with its stream offset.</summary>
public sealed class RecoveryAcrossServersTests
{
    [Theory]
    [InlineData("dotnet", "dotnet", "drop")]
    [InlineData("dotnet", "dotnet", "shutdown")]
    [InlineData("dotnet", "node", "drop")]
    [InlineData("node", "dotnet", "drop")]
    public async Task TheClientRecoversOnAnotherServerWithEverythingItMissed(string firstKind, string secondKind, string cut)
    {
        var key = $"gw-{Guid.NewGuid():N}";
        await using var first = await StartAsync(firstKind, key);
        await using var second = await StartAsync(secondKind, key);
        // The cluster is always three: two .NET servers and a Node one.
        await using var third = await StartAsync(firstKind == "node" || secondKind == "node" ? "dotnet" : "node", key);

        var r = await NodeScenario.RunAsync("recovery-across", first.Url, timeout: TimeSpan.FromSeconds(40),
            input: new { first = first.Url, second = second.Url, cut });

        var before = r.GetProperty("first");
        var after = r.GetProperty("second");
        Assert.False(before.GetProperty("recovered").GetBoolean());
        Assert.True(after.GetProperty("recovered").GetBoolean(), $"the client was not recovered on the {secondKind} server");
        Assert.Equal(before.GetProperty("id").GetString(), after.GetProperty("id").GetString());
        var heard = r.GetProperty("heard").EnumerateArray().Select(args => args.EnumerateArray().ToArray()).ToArray();
        Assert.Equal(["live", "missed 1", "missed direct", "missed 2", "after"], heard.Select(args => args[0].GetString()));
        // Each event carries its entry id in the stream as its offset, in the order they were added.
        var offsets = heard.Select(args => args[^1].GetString()!).ToArray();
        Assert.All(offsets, offset => Assert.Matches("^[0-9]+-[0-9]+$", offset));
        Assert.Equal(offsets, offsets.OrderBy(o => o, Comparer<string>.Create(CompareIds)));
        Assert.Equal(offsets.Length, offsets.Distinct().Count());
    }

    private static int CompareIds(string a, string b)
    {
        var (x, y) = (a.Split('-').Select(ulong.Parse).ToArray(), b.Split('-').Select(ulong.Parse).ToArray());
        return x[0] != y[0] ? x[0].CompareTo(y[0]) : x[1].CompareTo(y[1]);
    }

    private static Task<RecoveryServers.Server> StartAsync(string kind, string key) => RecoveryServers.StartAsync(kind, key);
}
