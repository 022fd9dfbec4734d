using System.Diagnostics;
using System.Text.Json;

namespace Gateways.Tests.Infrastructure;

/// <summary>Runs tests/node/scenarios.mjs with the real socket.io-client and returns what the client reported.</summary>
public static class NodeScenario
{
    public static async Task<JsonElement> RunAsync(string scenario, string url, Func<string, Task>? onStep = null,
        TimeSpan? timeout = null, object? input = null)
    {
        var modules = Path.Combine(RepositoryPaths.NodeTests, "node_modules", "socket.io-client");
        if (!Directory.Exists(modules))
        {
            throw new InvalidOperationException(
                $"socket.io-client is not installed in {RepositoryPaths.NodeTests}: run ./test.sh (it runs 'npm ci' there).");
        }
        var start = new ProcessStartInfo("node", ["scenarios.mjs", scenario, url])
        {
            WorkingDirectory = RepositoryPaths.NodeTests,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (input is not null)
        {
            start.Environment["SCENARIO_INPUT"] = JsonSerializer.Serialize(input);
        }
        // The scenario's own guard gives up a moment before this side does, so a slow run reports where it was
        // (its steps) rather than being killed; a test that allows a long scenario allows it on both sides.
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        start.Environment["SCENARIO_TIMEOUT_MS"] = ((long)Math.Max(1000, (limit - TimeSpan.FromSeconds(2)).TotalMilliseconds))
            .ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started.");
        var stderr = process.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        using var cancel = new CancellationTokenSource(limit);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(cancel.Token) is { } line)
            {
                lines.Add(line);
                if (line.StartsWith("STEP ", StringComparison.Ordinal) && onStep is not null)
                {
                    await onStep(line[5..]);
                }
            }
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Scenario '{scenario}' hung. Output:\n{string.Join('\n', lines)}");
        }
        var result = lines.FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        if (process.ExitCode != 0 || result is null)
        {
            throw new InvalidOperationException(
                $"Scenario '{scenario}' failed (exit {process.ExitCode}):\n{string.Join('\n', lines)}\n{await stderr}");
        }
        return JsonElement.Parse(result[7..]);
    }
}
