using System.Globalization;
using Gateways.Tests.Infrastructure;

namespace Gateways.Tests.Packaging;

/// <summary>samples/ProtocolServer published with Native AOT: no trimming or AOT warnings, and the native binary
/// serves the real socket.io-client as the JIT build does.</summary>
[Collection(BuildCollection.Name)]
[Trait("Category", "Build")]
public sealed class NativeAotTests
{
    [Fact]
    public async Task ProtocolServerPublishesWithNativeAotWithoutWarningsAndServesClients()
    {
        var output = Directory.CreateTempSubdirectory("gateways-aot-");
        try
        {
            var log = await ProcessRunner.RunAsync("dotnet",
                ["publish", Path.Combine(RepositoryPaths.Root, "samples", "ProtocolServer"), "-c", "Release", "-r", "linux-x64",
                 "-o", output.FullName, "-nologo", "-p:TreatWarningsAsErrors=false"],
                RepositoryPaths.Root, TimeSpan.FromMinutes(8));

            var warnings = log.Split('\n').Where(l => l.Contains("warning", StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.True(warnings.Count == 0, "The Native AOT publish warned:\n" + string.Join('\n', warnings));
            var binary = Path.Combine(output.FullName, "ProtocolServer");
            Assert.True(File.Exists(binary), "no native binary was published");

            var port = ProcessRunner.FreePort();
            using var server = ProcessRunner.Start(binary, ["--port", port.ToString(CultureInfo.InvariantCulture)], output.FullName, null, out var serverOutput);
            try
            {
                await ProcessRunner.WaitForPortAsync(port, server, serverOutput, TimeSpan.FromSeconds(20));
                var result = await NodeScenario.RunAsync("protocol-server", $"http://localhost:{port}");

                Assert.Equal("""{"token":"123"}""", result.GetProperty("mainAuth").GetRawText());
                Assert.Equal("""[1,"2",{"3":[true]},[1,2,3]]""", result.GetProperty("messageBack").GetRawText());
                Assert.Equal("""[1,"2",{"3":[false]}]""", result.GetProperty("acked").GetRawText());
                Assert.Equal("{}", result.GetProperty("customAuth").GetRawText());
                Assert.Equal("websocket", result.GetProperty("transport").GetString());
            }
            finally
            {
                server.Kill(entireProcessTree: true);
            }
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }
}

/// <summary>Tests that build or pack the src projects in Release run one at a time: they share obj/ folders.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BuildCollection
{
    public const string Name = "Builds";
}
