using Gateways.Tests.Infrastructure;

namespace Gateways.Tests.Packaging;

/// <summary>The NuGet packages as a user gets them: packed into a local folder, referenced by a fresh project that
/// names only Gateways.Runtime, built (so the generator inside the package runs), started and connected to.</summary>
[Collection(BuildCollection.Name)]
[Trait("Category", "Build")]
public sealed class PackageConsumerTests
{
    private const string ConsumerProgram = """
        using System.ComponentModel.DataAnnotations;
        using System.Text.Json;
        using Gateways;
        using Gateways.Hosting;
        using Microsoft.Extensions.Validation;

        var builder = WebApplication.CreateSlimBuilder(args);
        builder.ListenOnGatewaysPort();
        builder.Services.AddValidation();
        builder.Services.AddGateways().AddGateway<AppGateway>();
        var app = builder.Build();
        app.MapGateways();
        app.Run();

        [WebSocketGateway]
        public sealed class AppGateway
        {
            [WebSocketServer]
            public IGatewayServer Server { get; set; } = null!;

            [SubscribeMessage("message")]
            public void HandleMessage(IGatewaySocket client, JsonElement payload) => Server.Emit("message", payload);

            [SubscribeMessage("rename")]
            public string Rename([MessageBody] RenameDto rename) => rename.Name!;
        }

        // Validated as docs/security.md shows: AddValidation() and [ValidatableType].
        [ValidatableType]
        public sealed class RenameDto
        {
            [Required, StringLength(64)]
            public string? Name { get; set; }
        }
        """;

    [Fact]
    public async Task AFreshProjectReferencingOnlyTheRuntimePackageBuildsRunsAndServes()
    {
        var work = Directory.CreateTempSubdirectory("gateways-consumer-");
        var version = $"0.1.0-local.{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        var feed = Path.Combine(work.FullName, "feed");
        var consumer = Directory.CreateDirectory(Path.Combine(work.FullName, "Consumer")).FullName;
        try
        {
            foreach (var project in new[] { "Gateways.Abstractions", "Gateways.Runtime" })
            {
                await ProcessRunner.RunAsync("dotnet",
                    ["pack", Path.Combine(RepositoryPaths.Root, "src", project), "-c", "Release", "-o", feed, $"-p:Version={version}", "-nologo"],
                    RepositoryPaths.Root, TimeSpan.FromMinutes(4));
            }
            Assert.True(File.Exists(Path.Combine(feed, $"Gateways.Runtime.{version}.nupkg")));

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
            await File.WriteAllTextAsync(Path.Combine(consumer, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk.Web">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    <!-- As docs/security.md says: [ValidatableType] is marked experimental in .NET 10. -->
                    <NoWarn>$(NoWarn);ASP0029</NoWarn>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Gateways.Runtime" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            await File.WriteAllTextAsync(Path.Combine(consumer, "Program.cs"), ConsumerProgram);

            // TreatWarningsAsErrors: the generated code must build clean in the user's project too.
            await ProcessRunner.RunAsync("dotnet", ["build", "-c", "Release", "-nologo"], consumer, TimeSpan.FromMinutes(4));

            var port = ProcessRunner.FreePort();
            using var server = ProcessRunner.Start("dotnet", [Path.Combine(consumer, "bin", "Release", "net10.0", "Consumer.dll")],
                consumer, new Dictionary<string, string> { ["WS_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                out var output);
            try
            {
                await ProcessRunner.WaitForPortAsync(port, server, output, TimeSpan.FromSeconds(30));
                var result = await NodeScenario.RunAsync("seed-app", $"http://localhost:{port}");
                Assert.Equal("""{"text":"Hello"}""", result.GetProperty("toB").GetRawText());
                // The validated DTO: a valid body is answered, an invalid one refused with its field.
                await using var client = await RawSocketIOClient.ConnectSocketIOAsync($"http://127.0.0.1:{port}");
                await client.SendTextAsync("""421["rename",{"name":"ok"}]""");
                Assert.Equal("""431["ok"]""", await client.ReceiveTextAsync());
                await client.SendTextAsync("""422["rename",{"name":""}]""");
                Assert.Contains("Validation failed", await client.ReceiveTextAsync());
            }
            finally
            {
                server.Kill(entireProcessTree: true);
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
