using Gateways.Tests.Infrastructure;

namespace Gateways.Tests.Packaging;

/// <summary>The NuGet packages as a user gets them: packed into a local folder, referenced by a fresh project that
/// names only Gateways.Runtime, built (so the generator inside the package runs), started and connected to. The
/// README's own example is published with Native AOT in <see cref="NativeAotTests"/>.</summary>
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
        builder.Services.AddGateways(); // discovers AppGateway
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
        var consumer = await LocalFeed.CreateConsumerAsync("Consumer", """
                <!-- As docs/security.md says: [ValidatableType] is marked experimental in .NET 10. -->
                <NoWarn>$(NoWarn);ASP0029</NoWarn>
            """, new Dictionary<string, string> { ["Program.cs"] = ConsumerProgram });
        // TreatWarningsAsErrors: the generated code must build clean in the user's project too.
        await ProcessRunner.RunAsync("dotnet", ["build", "-c", "Release", "-nologo"], consumer, TimeSpan.FromMinutes(4));

        // Gateways.Runtime alone brings no Redis client and no JwtBearer/IdentityModel.
        var assemblies = Directory.GetFiles(Path.Combine(consumer, "bin", "Release", "net10.0"), "*.dll").Select(Path.GetFileName).ToList();
        Assert.DoesNotContain("StackExchange.Redis.dll", assemblies);
        Assert.DoesNotContain("Microsoft.AspNetCore.Authentication.JwtBearer.dll", assemblies);
        Assert.DoesNotContain(assemblies, f => f!.StartsWith("Microsoft.IdentityModel.", StringComparison.Ordinal));

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

    [Fact]
    public async Task TheAotTrapStopsTheBuildOfAConsumerThatPublishesWithNativeAot()
    {
        // The README's first server with the anonymous acknowledgement it used to show.
        var program = Readme.FirstServer()
            .Replace("public Ack HandleMessage", "public object HandleMessage", StringComparison.Ordinal)
            .Replace("return new Ack(\"ok\");", "return new { status = \"ok\" };", StringComparison.Ordinal);
        Assert.Contains("new { status = \"ok\" }", program);
        var consumer = await LocalFeed.CreateConsumerAsync("AnonymousAck", "    <PublishAot>true</PublishAot>",
            new Dictionary<string, string> { ["Program.cs"] = program });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ProcessRunner.RunAsync("dotnet", ["build", "-c", "Release", "-nologo"], consumer, TimeSpan.FromMinutes(4)));

        Assert.Contains("error GW0017: An anonymous type is serialized as the result of handler 'ChatGateway.HandleMessage'", error.Message);
    }

    [Fact]
    public async Task AConsumerOfGatewaysRedisGetsTheRedisAdapter()
    {
        var consumer = await LocalFeed.CreateConsumerAsync("RedisConsumer", "", new Dictionary<string, string>
        {
            ["Program.cs"] = """
                using Gateways;
                using Gateways.Hosting;

                var builder = WebApplication.CreateSlimBuilder(args);
                builder.Services.AddGateways().AddRedisAdapter("127.0.0.1:6379");
                var app = builder.Build();
                app.MapGateways();
                // Compiles only if the generator, which ships in Gateways.Runtime, ran for this project too.
                _ = typeof(Gateways.Generated.PingGatewayDispatcher);
                app.Run();

                [WebSocketGateway]
                public sealed class PingGateway
                {
                    [SubscribeMessage("ping")]
                    public string Ping() => "pong";
                }
                """,
        }, package: "Gateways.Redis");

        await ProcessRunner.RunAsync("dotnet", ["build", "-c", "Release", "-nologo"], consumer, TimeSpan.FromMinutes(4));

        Assert.True(File.Exists(Path.Combine(consumer, "bin", "Release", "net10.0", "StackExchange.Redis.dll")));
        Assert.True(File.Exists(Path.Combine(consumer, "bin", "Release", "net10.0", "Gateways.Redis.dll")));
    }
}
