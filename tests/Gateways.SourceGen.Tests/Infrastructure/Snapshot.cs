using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.CodeAnalysis;

namespace Gateways.SourceGen.Tests.Infrastructure;

/// <summary>
/// Snapshot checks with Verify's conventions (Verify itself cannot be restored here): one
/// <c>{Class}.{Method}#{HintName}.verified.cs</c> per generated file beside the test, starting with
/// <c>//HintName: …</c>, and <c>{Class}.{Method}.verified.txt</c> for the diagnostics. A mismatch writes
/// <c>*.received.*</c> and fails on the first differing line; GATEWAYS_ACCEPT_SNAPSHOTS=1 accepts (never when CI=true).
/// </summary>
public static class Snapshot
{
    private const string VersionPlaceholder = "{GeneratorVersion}";

    public static void Verify(GeneratorDriverRunResult result, Compilation output,
        [CallerFilePath] string testFile = "", [CallerMemberName] string testMethod = "")
    {
        var directory = Path.GetDirectoryName(testFile)!;
        var prefix = $"{Path.GetFileNameWithoutExtension(testFile)}.{testMethod}";
        var failures = new List<string>();
        var expectedFiles = new HashSet<string>(StringComparer.Ordinal);

        foreach (var generated in result.Results.SelectMany(r => r.GeneratedSources).OrderBy(s => s.HintName, StringComparer.Ordinal))
        {
            var name = $"{prefix}#{generated.HintName}";
            name = name[..^".cs".Length] + ".verified.cs";
            expectedFiles.Add(name);
            var text = $"//HintName: {generated.HintName}\n" + Normalize(generated.SourceText.ToString());
            Compare(directory, name, text, failures);
        }

        var diagnostics = result.Diagnostics
            .OrderBy(d => d.Location.SourceSpan.Start)
            .Select(Describe)
            .ToList();
        var diagnosticsName = $"{prefix}.verified.txt";
        expectedFiles.Add(diagnosticsName);
        Compare(directory, diagnosticsName, diagnostics.Count == 0 ? "(no diagnostics)\n" : string.Join("\n", diagnostics) + "\n", failures);

        // The set of generated files must match the verified set: a file the generator stopped emitting is a change too.
        foreach (var stale in Directory.EnumerateFiles(directory, $"{prefix}#*.verified.cs").Select(Path.GetFileName))
        {
            if (!expectedFiles.Contains(stale!))
            {
                failures.Add($"{stale}: verified, but the generator no longer emits it.");
            }
        }

        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0 && !result.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            failures.Add("The generated code does not compile:\n" + string.Join("\n", errors.Select(Describe)));
        }
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    public static string Describe(Diagnostic diagnostic)
    {
        var span = diagnostic.Location.GetLineSpan();
        var where = diagnostic.Location.IsInSource
            ? $"{Path.GetFileName(span.Path)}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})"
            : "(no location)";
        return $"{diagnostic.Id} {diagnostic.Severity} {where}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    private static string Normalize(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal)
            .Replace($"\"{typeof(GatewayGenerator).Assembly.GetName().Version}\"", $"\"{VersionPlaceholder}\"", StringComparison.Ordinal);

    private static void Compare(string directory, string verifiedName, string received, List<string> failures)
    {
        var verifiedPath = Path.Combine(directory, verifiedName);
        var receivedPath = verifiedPath.Replace(".verified.", ".received.", StringComparison.Ordinal);
        var verified = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath, Encoding.UTF8)) : null;
        if (verified == received)
        {
            File.Delete(receivedPath);
            return;
        }
        if (Environment.GetEnvironmentVariable("GATEWAYS_ACCEPT_SNAPSHOTS") == "1"
            && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            File.WriteAllText(verifiedPath, received, new UTF8Encoding(false));
            File.Delete(receivedPath);
            return;
        }
        File.WriteAllText(receivedPath, received, new UTF8Encoding(false));
        failures.Add(verified is null
            ? $"{verifiedName}: no verified file yet; see {Path.GetFileName(receivedPath)} (set GATEWAYS_ACCEPT_SNAPSHOTS=1 to accept)."
            : $"{verifiedName}: {FirstDifference(verified, received)}; see {Path.GetFileName(receivedPath)}.");
    }

    private static string FirstDifference(string verified, string received)
    {
        var expected = verified.Split('\n');
        var actual = received.Split('\n');
        for (var i = 0; i < Math.Max(expected.Length, actual.Length); i++)
        {
            var e = i < expected.Length ? expected[i] : "<end of file>";
            var a = i < actual.Length ? actual[i] : "<end of file>";
            if (e != a)
            {
                return $"line {i + 1} differs\n  verified: {e}\n  received: {a}";
            }
        }
        return "the files differ";
    }
}
