using Gateways.Tests.Infrastructure;

namespace Gateways.Tests.Contracts;

/// <summary>Every contract the generator's snapshot tests produce (a gateway of each kind the snapshots cover: every
/// parameter and return kind, dynamic namespaces, catch-all handlers, client events, enums, maps, binary…) is valid for
/// the tools it is made for: the AsyncAPI document for @asyncapi/parser, the event maps for <c>tsc --strict</c>.</summary>
public sealed class GeneratedContractsTests
{
    public static TheoryData<string> Snapshots() =>
        [.. Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "tests", "Gateways.SourceGen.Tests", "Snapshots"),
            "*#Gateways.Contracts.g.verified.cs").Select(path => Path.GetFileName(path)).Order()];

    [Theory]
    [MemberData(nameof(Snapshots))]
    public async Task TheAsyncApiDocumentValidatesAndTheEventMapsTypeCheck(string snapshot)
    {
        var source = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "tests", "Gateways.SourceGen.Tests", "Snapshots", snapshot));
        var files = ContractTools.FromGeneratedSource(source);
        Assert.Equal(["asyncapi.json", "socket-events.d.ts"], files.Keys.Order());
        var directory = Directory.CreateTempSubdirectory("gateways-contract-");
        try
        {
            foreach (var (name, text) in files)
            {
                await File.WriteAllTextAsync(Path.Combine(directory.FullName, name), text);
            }

            var (errors, warnings) = await ContractTools.ValidateAsyncApiAsync(Path.Combine(directory.FullName, "asyncapi.json"));
            Assert.Empty(errors);
            Assert.Empty(warnings);

            var (exitCode, output) = await ContractTools.TypeCheckAsync(directory.FullName, "--strict", "--noEmit", "socket-events.d.ts");
            Assert.True(exitCode == 0, output);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
