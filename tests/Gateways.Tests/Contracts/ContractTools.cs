using System.Text.Json;
using System.Text.RegularExpressions;
using Gateways.Tests.Infrastructure;

namespace Gateways.Tests.Contracts;

/// <summary>The real tools the contracts are for: TypeScript's compiler and the AsyncAPI parser, from tests/node.</summary>
internal static partial class ContractTools
{
    private static string Tool(string relative)
    {
        var path = Path.Combine(RepositoryPaths.NodeTests, relative);
        return File.Exists(path) ? path
            : throw new InvalidOperationException($"{path} is missing: run ./test.sh (it runs 'npm ci' in tests/node).");
    }

    /// <summary>Runs <c>tsc</c> with <paramref name="arguments"/>; its exit code and what it printed.</summary>
    public static async Task<(int ExitCode, string Output)> TypeCheckAsync(string workingDirectory, params string[] arguments)
    {
        using var process = ProcessRunner.Start("node", [Tool("node_modules/typescript/bin/tsc"), .. arguments], workingDirectory, null,
            out var output);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        process.WaitForExit();
        return (process.ExitCode, output.ToString());
    }

    /// <summary>The errors and warnings @asyncapi/parser reports for a document.</summary>
    public static async Task<(List<string> Errors, List<string> Warnings)> ValidateAsyncApiAsync(string document)
    {
        var output = await ProcessRunner.RunAsync("node", [Tool("validate-asyncapi.mjs"), document], RepositoryPaths.NodeTests,
            TimeSpan.FromMinutes(2));
        using var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        static List<string> Read(JsonElement list) =>
            [.. list.EnumerateArray().Select(d => $"{d.GetProperty("path").GetString()}: {d.GetProperty("message").GetString()}")];
        return (Read(result.RootElement.GetProperty("errors")), Read(result.RootElement.GetProperty("warnings")));
    }

    /// <summary>The contract files a generated <c>Gateways.Contracts.g.cs</c> carries, by file name.</summary>
    public static Dictionary<string, string> FromGeneratedSource(string source) =>
        ContractAttribute().Matches(source).ToDictionary(m => m.Groups["file"].Value, m => m.Groups["text"].Value.Replace("\"\"", "\""));

    [GeneratedRegex("""Gateways\.Contract:(?<file>[^"]+)", @"(?<text>(?:[^"]|"")*)"\)\]""")]
    private static partial Regex ContractAttribute();
}
