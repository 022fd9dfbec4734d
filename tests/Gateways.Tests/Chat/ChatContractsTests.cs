using Gateways.Tests.Contracts;
using Gateways.Tests.Infrastructure;

namespace Gateways.Tests.Chat;

/// <summary>The chat sample's generated contracts (samples/Chat/contracts/, written by its build and checked in): they
/// are the build's own, the AsyncAPI document validates, and the page's script type-checks against the event maps
/// with <c>tsc --strict</c> — so renaming an event in a gateway breaks the page's check.</summary>
public sealed class ChatContractsTests
{
    private static string Sample => ChatSampleFixture.SampleDirectory;

    [Fact]
    public async Task TheCheckedInContractsAreTheOnesTheBuildWrites()
    {
        Assert.True(File.Exists(Path.Combine(Sample, "contracts", "socket-events.d.ts")), "the build wrote no contracts");
        // The build (./test.sh builds first) rewrites samples/Chat/contracts when a gateway's events changed.
        var status = await ProcessRunner.RunAsync("git", ["status", "--porcelain", "--", "samples/Chat/contracts"], RepositoryPaths.Root,
            TimeSpan.FromSeconds(30));
        Assert.True(status.Trim().Length == 0,
            $"samples/Chat/contracts differs from what is committed — a gateway's events changed: review and commit them.\n{status}");
    }

    [Fact]
    public async Task TheAsyncApiDocumentValidates()
    {
        var (errors, warnings) = await ContractTools.ValidateAsyncApiAsync(Path.Combine(Sample, "contracts", "asyncapi.json"));

        Assert.Empty(errors);
        Assert.Empty(warnings);
    }

    [Fact]
    public async Task ThePagesScriptTypeChecksAgainstTheEventMaps()
    {
        var (exitCode, output) = await ContractTools.TypeCheckAsync(Sample, "-p", ".");

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task AnEventRenamedOnTheServerIsATypeErrorOnThePage()
    {
        // The page and its tsconfig beside a copy of the maps in which the gateway renamed two events; under obj/, so
        // socket.io-client's types still resolve from the sample's node_modules.
        var copy = Path.Combine(Sample, "obj", $"contract-check-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(Path.Combine(copy, "wwwroot"));
            Directory.CreateDirectory(Path.Combine(copy, "contracts"));
            foreach (var file in (string[])["tsconfig.json", "page-globals.d.ts", "wwwroot/app.js"])
            {
                File.Copy(Path.Combine(Sample, file), Path.Combine(copy, file));
            }
            var maps = await File.ReadAllTextAsync(Path.Combine(Sample, "contracts", "socket-events.d.ts"));
            Assert.Contains("  newMessage: (", maps);
            Assert.Contains("  joinRoom: (", maps);
            await File.WriteAllTextAsync(Path.Combine(copy, "contracts", "socket-events.d.ts"),
                maps.Replace("  newMessage: (", "  messageSaved: (").Replace("  joinRoom: (", "  enterRoom: ("));

            var (exitCode, output) = await ContractTools.TypeCheckAsync(copy, "-p", ".");

            Assert.NotEqual(0, exitCode);
            Assert.Contains("wwwroot/app.js", output);
            Assert.Contains("\"newMessage\"", output); // the page still listens to the old name
            Assert.Contains("\"joinRoom\"", output); // and emits the old name
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }
}
