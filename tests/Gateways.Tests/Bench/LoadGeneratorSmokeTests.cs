using Gateways.Tests.Infrastructure;

namespace Gateways.Tests.Bench;

/// <summary>The load test still runs end to end: bench/run.sh in its seconds-long smoke mode against all four targets.
/// It asserts that every scenario measured something on every target, never how fast: timings do not gate tests.</summary>
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
}
