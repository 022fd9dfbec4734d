using System.Globalization;
using Gateways.Tests.Infrastructure;

namespace Gateways.Tests.Packaging;

/// <summary>The README's first server, as written, in a fresh project on the packed packages with
/// <c>PublishAot</c> and <c>TreatWarningsAsErrors</c>: it publishes without trimming, AOT or GW warnings, and the
/// native binary serves the real socket.io-client. The one Native AOT publish of the test run.</summary>
[Collection(BuildCollection.Name)]
[Trait("Category", "Build")]
public sealed class NativeAotTests
{
    [Fact]
    public async Task TheReadmesFirstServerPublishesWithNativeAotWithoutWarningsAndServesClients()
    {
        var consumer = await LocalFeed.CreateConsumerAsync("ReadmeServer", "    <PublishAot>true</PublishAot>",
            new Dictionary<string, string> { ["Program.cs"] = Readme.FirstServer() });
        var output = Path.Combine(consumer, "native");

        var log = await ProcessRunner.RunAsync("dotnet", ["publish", "-c", "Release", "-r", "linux-x64", "-o", output, "-nologo"],
            consumer, TimeSpan.FromMinutes(8));

        var warnings = log.Split('\n').Where(l => l.Contains("warning", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(warnings.Count == 0, "The Native AOT publish warned:\n" + string.Join('\n', warnings));
        var binary = Path.Combine(output, "ReadmeServer");
        Assert.True(File.Exists(binary), "no native binary was published");
        var port = ProcessRunner.FreePort();
        using var server = ProcessRunner.Start(binary, [], output,
            new Dictionary<string, string> { ["WS_PORT"] = port.ToString(CultureInfo.InvariantCulture) }, out var serverOutput);
        try
        {
            await ProcessRunner.WaitForPortAsync(port, server, serverOutput, TimeSpan.FromSeconds(20));
            var result = await NodeScenario.RunAsync("readme", $"http://localhost:{port}");

            Assert.Equal("""[{"status":"ok"}]""", result.GetProperty("answer").GetRawText());
            Assert.Equal("""{"text":"hi"}""", result.GetProperty("toB").GetRawText());
            Assert.Equal("Another user joined", result.GetProperty("notification").GetString());
        }
        finally
        {
            server.Kill(entireProcessTree: true);
        }
    }
}

/// <summary>Tests that build or pack the src projects in Release run one at a time: they share obj/ folders.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BuildCollection
{
    public const string Name = "Builds";
}
