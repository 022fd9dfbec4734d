using Gateways.Tests.Infrastructure;

namespace Gateways.Tests.Bench;

/// <summary>The load tests still run end to end: bench/run.sh in its seconds-long smoke mode against all four targets,
/// and bench/scale.sh with a few connections. They assert that every scenario measured something, never how fast:
/// timings do not gate tests.</summary>
[Collection(Packaging.BuildCollection.Name)]
[Trait("Category", "Build")]
public sealed class LoadGeneratorSmokeTests
{
    [Fact]
    public async Task EveryScenarioRunsAgainstEveryTarget()
    {
        var output = await ProcessRunner.RunAsync("bash", [Path.Combine(RepositoryPaths.Root, "bench", "run.sh")], RepositoryPaths.Root,
            TimeSpan.FromMinutes(5), new Dictionary<string, string> { ["SMOKE"] = "1" });

        var rows = output.Split('\n')
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(cells => cells.Length >= 4 && cells[0] is "echo" or "fanout" or "connect" or "idle")
            .ToList();
        foreach (var scenario in new[] { "echo", "fanout", "connect", "idle" })
        {
            foreach (var target in new[] { "gateways", "node", "bun", "raw" })
            {
                var row = rows.SingleOrDefault(cells => cells[0] == scenario && cells[2] == target);
                Assert.True(row is not null, $"no '{scenario}' row for '{target}' in:\n{output}");
                if (scenario != "idle")
                {
                    Assert.True(double.Parse(row[3], System.Globalization.CultureInfo.InvariantCulture) > 0, $"'{scenario}' on '{target}' measured nothing:\n{output}");
                }
            }
        }
    }

    [Fact]
    public async Task TheScaleScenarioConnectsEveryClientOverSeveralSourceAddressesAndBroadcastsToAll()
    {
        var output = await ProcessRunner.RunAsync("bash", [Path.Combine(RepositoryPaths.Root, "bench", "scale.sh"), "gateways"],
            RepositoryPaths.Root, TimeSpan.FromMinutes(3), new Dictionary<string, string>
            {
                ["CLIENTS"] = "60", ["SOURCES"] = "3", ["BROADCASTS"] = "3", ["IDLE_SECONDS"] = "1",
            });

        var line = output.Split('\n').SingleOrDefault(l => l.StartsWith("target=gateways scenario=scale", StringComparison.Ordinal));
        Assert.True(line is not null, $"no scale line in:\n{output}");
        var fields = line.Split(' ').Select(pair => pair.Split('=')).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1]);
        Assert.Equal("60", fields["clients"]);
        Assert.Equal("3", fields["sources"]);
        Assert.Equal("3", fields["broadcasts"]);
        Assert.True(double.Parse(fields["completion_p99_ms"], System.Globalization.CultureInfo.InvariantCulture) > 0, line);
        Assert.True(long.Parse(fields["rss_idle_kb"], System.Globalization.CultureInfo.InvariantCulture) > 0, line);
    }
}
