using Gateways.Testing;

namespace Gateways.Tests.Chat;

/// <summary>samples/Chat with <c>WS_OTEL_EXPORTER=console</c>: the OpenTelemetry SDK collects the runtime's spans and
/// meters and the console exporter prints them, as the README tells a user to look.</summary>
public sealed class ChatTelemetryTests
{
    [Fact]
    public async Task WithTheConsoleExporterTheSamplePrintsTheSpanOfAnEventAndTheGatewaysMeters()
    {
        var chat = new ChatSampleFixture(new Dictionary<string, string>
        {
            ["WS_OTEL_EXPORTER"] = "console",
            // Metrics are exported on a timer: a short one keeps the test short.
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        });
        await chat.InitializeAsync();
        try
        {
            await using var client = await GatewayTestClient.ConnectAsync(new Uri(chat.Url),
                new GatewayTestClientOptions { Token = ChatSampleFixture.Token("olga") });
            await client.EmitWithAckAsync<System.Text.Json.JsonElement>("joinRoom", new { roomId = "lobby" });

            await chat.WaitForOutputAsync("Activity.DisplayName:        / joinRoom", TimeSpan.FromSeconds(10));
            await chat.WaitForOutputAsync("gateways.server.active_connections", TimeSpan.FromSeconds(10));
            Assert.Contains("Activity.Kind:               Server", chat.Output);
            Assert.Contains("service.name: gateways-chat", chat.Output);
        }
        finally
        {
            await chat.DisposeAsync();
        }
    }
}
