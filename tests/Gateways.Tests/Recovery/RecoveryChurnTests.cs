using System.Globalization;
using Gateways.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Gateways.Tests.Recovery;

/// <summary>
/// Nothing missed under churn, in the spirit of the published socket.io benchmark (sockets force-closed at random
/// while a steady broadcast runs): every client gets every broadcast exactly once and in order, and every reconnection
/// is a recovery. Seconds-long here; longer with <c>GATEWAYS_CHURN_SECONDS</c> and <c>GATEWAYS_CHURN_CLIENTS</c>
/// (docs/recovery.md).
/// </summary>
public sealed class RecoveryChurnTests(ITestOutputHelper output)
{
    private static string[] Broadcasters(string[] servers, string cut) =>
        cut == "shutdown" ? servers[1..] : servers.Length == 1 ? [servers[0], servers[0]] : servers;

    [Theory]
    [InlineData("memory", "random", 20)]
    [InlineData("streams", "random", 20)]
    [InlineData("streams", "shutdown", 100)]
    public async Task EveryClientGetsEveryBroadcastOnceAndInOrder(string store, string cut, int clients)
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("GATEWAYS_CHURN_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 4;
        clients = int.TryParse(Environment.GetEnvironmentVariable("GATEWAYS_CHURN_CLIENTS"), CultureInfo.InvariantCulture, out var c) ? c : clients;
        var key = store == "streams" ? $"gw-{Guid.NewGuid():N}" : null;
        await using var first = await RecoveryServers.StartAsync("dotnet", key);
        // In memory a client can only recover on the server it left: one server, its connections cut.
        await using var second = key is null ? null : await RecoveryServers.StartAsync("dotnet", key);
        string[] servers = second is null ? [first.Url] : [first.Url, second.Url];

        var r = await NodeScenario.RunAsync("recovery-churn", first.Url, timeout: TimeSpan.FromSeconds(seconds + 40), input: new
        {
            servers,
            // Two broadcasters at once (on the one server in memory, one per server otherwise) but none on a server
            // that goes away: their events interleave on every server.
            broadcasters = Broadcasters(servers, cut),
            clients,
            durationMs = seconds * 1000,
            everyMs = 20,
            cutEveryMs = 100,
            cut,
        });

        var sent = r.GetProperty("sent").GetInt32();
        var broadcasters = Broadcasters(servers, cut).Length;
        var cuts = r.GetProperty("cuts").GetInt32();
        var results = r.GetProperty("clients").EnumerateArray().ToArray();
        var delivered = results.Sum(client => client.GetProperty("got").GetInt32());
        var recoveries = results.Sum(client => client.GetProperty("recoveries").GetInt32());
        output.WriteLine($"{store}/{cut}: {clients} clients, {sent} broadcasts, {cuts} cuts, {recoveries} recoveries, " +
            $"delivered/sent {delivered}/{sent * clients * broadcasters} = {100.0 * delivered / (sent * clients * broadcasters):F2}%");
        Assert.True(sent > 20, $"only {sent} broadcasts were sent");
        Assert.True(cuts > 0, "no connection was cut");
        Assert.True(recoveries > 0, "no client came back recovered");
        Assert.All(results, client =>
        {
            // Every tick, once, in order (else the scenario names the first missing, doubled and out-of-order ones).
            Assert.True(client.GetProperty("exact").GetBoolean(), client.GetRawText());
            // Only the first connection was fresh: every reconnection got its socket back.
            Assert.Equal(1, client.GetProperty("fresh").GetInt32());
        });
    }
}
