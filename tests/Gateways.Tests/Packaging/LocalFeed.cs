using Gateways.Tests.Infrastructure;

namespace Gateways.Tests.Packaging;

/// <summary>The src packages packed once per test run into a local folder, and a fresh consumer project that
/// restores from it: the packages exactly as a user gets them.</summary>
internal static class LocalFeed
{
    private static readonly Lazy<Task<(string Feed, string Version)>> Packed = new(PackAsync);

    private static readonly DirectoryInfo Work = Directory.CreateTempSubdirectory("gateways-feed-");

    static LocalFeed() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        try
        {
            Work.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A consumer's process may still hold a file; the temp folder is the OS's to clean then.
        }
    };

    /// <summary>Creates a consumer project folder: NuGet.config on the local feed, the csproj, and the sources.</summary>
    public static async Task<string> CreateConsumerAsync(string name, string projectProperties, IReadOnlyDictionary<string, string> sources,
        string package = "Gateways.Runtime")
    {
        var (feed, version) = await Packed.Value;
        var consumer = Directory.CreateDirectory(Path.Combine(Work.FullName, name)).FullName;
        await File.WriteAllTextAsync(Path.Combine(consumer, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(consumer, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
            {projectProperties}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{package}" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        foreach (var (file, text) in sources)
        {
            await File.WriteAllTextAsync(Path.Combine(consumer, file), text);
        }
        return consumer;
    }

    private static async Task<(string Feed, string Version)> PackAsync()
    {
        var version = $"0.1.0-local.{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        var feed = Path.Combine(Work.FullName, "feed");
        foreach (var project in new[] { "Gateways.Abstractions", "Gateways.Runtime", "Gateways.Redis", "Gateways.Authentication.JwtBearer", "Gateways.Testing" })
        {
            await ProcessRunner.RunAsync("dotnet",
                ["pack", Path.Combine(RepositoryPaths.Root, "src", project), "-c", "Release", "-o", feed, $"-p:Version={version}", "-nologo"],
                RepositoryPaths.Root, TimeSpan.FromMinutes(4));
            // Every package has its readme, a description, and a symbol package for SourceLink debugging.
            using var zip = System.IO.Compression.ZipFile.OpenRead(Path.Combine(feed, $"{project}.{version}.nupkg"));
            Assert.Contains("README.md", zip.Entries.Select(e => e.FullName));
            using var nuspec = new StreamReader(zip.GetEntry($"{project}.nuspec")!.Open());
            var metadata = await nuspec.ReadToEndAsync();
            Assert.Matches("<description>.{40,}</description>", metadata);
            Assert.Contains("<repository type=\"git\"", metadata);
            Assert.True(File.Exists(Path.Combine(feed, $"{project}.{version}.snupkg")), $"{project} has no symbol package");
        }
        var package = Path.Combine(feed, $"Gateways.Runtime.{version}.nupkg");
        Assert.True(File.Exists(package), "Gateways.Runtime was not packed");
        using (var zip = System.IO.Compression.ZipFile.OpenRead(package))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToList();
            // The generator with its analyzer, the IDE's code fixes, and the props that let GW0017 see PublishAot.
            Assert.Contains("analyzers/dotnet/cs/Gateways.SourceGen.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/Gateways.SourceGen.CodeFixes.dll", entries);
            Assert.Contains("build/Gateways.Runtime.props", entries);
            Assert.Contains("buildTransitive/Gateways.Runtime.props", entries);
        }
        return (feed, version);
    }
}

/// <summary>The code blocks of README.md, so tests build what the page shows, as written.</summary>
internal static class Readme
{
    /// <summary>The first C# block under the heading "## A first server".</summary>
    public static string FirstServer()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        var section = text.IndexOf("## A first server", StringComparison.Ordinal);
        Assert.True(section >= 0, "README.md has no '## A first server' section");
        var start = text.IndexOf("```csharp\n", section, StringComparison.Ordinal) + "```csharp\n".Length;
        var end = text.IndexOf("```", start, StringComparison.Ordinal);
        return text[start..end];
    }
}
