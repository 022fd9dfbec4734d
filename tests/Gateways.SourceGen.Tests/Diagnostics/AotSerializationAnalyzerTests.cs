using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Gateways.SourceGen.Diagnostics.Analyzers;
using Gateways.SourceGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Gateways.SourceGen.Tests.Diagnostics;

/// <summary>GW0017: what cannot be serialized once reflection-based JSON is off, found at build time.</summary>
public sealed class AotSerializationAnalyzerTests
{
    private const string Usings = "using System.Text.Json.Serialization;\nusing System.Threading.Tasks;\nusing Gateways;\n";

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync([StringSyntax("C#")] string source, string property = "PublishAot", string value = "true")
    {
        var (_, compilation) = GeneratorHarness.Run(Usings + source);
        var options = new AnalyzerOptions([], new BuildProperties(new Dictionary<string, string> { ["build_property." + property] = value }));
        var diagnostics = await compilation.WithAnalyzers([new AotSerializationAnalyzer()], options).GetAnalyzerDiagnosticsAsync();
        return [.. diagnostics.OrderBy(d => d.Location.SourceSpan.Start)];
    }

    private static void AssertSingle(ImmutableArray<Diagnostic> diagnostics, string message, string markedText)
    {
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("GW0017", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(markedText, diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
    }

    [Fact]
    public async Task TheReadmesAnonymousAcknowledgementIsReported()
    {
        var diagnostics = await AnalyzeAsync("""
            public sealed record ChatMessage(string Text);
            [JsonSerializable(typeof(ChatMessage))] internal partial class AppJsonContext : JsonSerializerContext;
            [WebSocketGateway] public sealed class ChatGateway
            {
                [SubscribeMessage("message")]
                public object HandleMessage([MessageBody] ChatMessage message) => new { status = "ok" };
            }
            """);

        AssertSingle(diagnostics, "An anonymous type is serialized as the result of handler 'ChatGateway.HandleMessage', but reflection-based " +
            "JSON is off (Native AOT) and no JsonSerializerContext can declare an anonymous type: declare a record for it", "new { status = \"ok\" }");
    }

    [Fact]
    public async Task EmittedArgumentsOfEveryKindAreChecked()
    {
        var diagnostics = await AnalyzeAsync("""
            public sealed record Declared(string Text);
            public sealed record Forgotten(string Text);
            [JsonSerializable(typeof(Declared))] internal partial class AppJsonContext : JsonSerializerContext;
            [WebSocketGateway] public sealed class G
            {
                [SubscribeMessage("e")]
                public async Task E(IGatewaySocket client, [Ack] AckCallback ack, [Microsoft.AspNetCore.Mvc.FromServices] IGatewayBroadcaster broadcaster)
                {
                    client.Emit("ok", new Declared("a"), "text", 1, (int?)2, new byte[1], null);
                    client.To("room").Emit("anonymous", new { a = 1 });
                    await client.EmitWithAckAsync("forgotten", System.TimeSpan.FromSeconds(1), new Forgotten("b"));
                    broadcaster.SendToUser("u1", "user", new Forgotten("c"));
                    ack(new System.Guid());
                }
            }
            """);

        Assert.Equal(
        [
            "An anonymous type is serialized by this Emit call",
            "'Forgotten' is serialized by this EmitWithAckAsync call",
            "'Forgotten' is serialized by this SendToUser call",
            "'Guid' is serialized by this Invoke call",
        ], diagnostics.Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Split(", but")[0]));
        Assert.Equal(["new { a = 1 }", "new Forgotten(\"b\")", "new Forgotten(\"c\")", "new System.Guid()"],
            diagnostics.Select(d => d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan)));
    }

    [Fact]
    public async Task BodiesAndResultsOutsideEveryContextAreReported()
    {
        var diagnostics = await AnalyzeAsync("""
            public sealed record Request(string Symbol, Detail Detail);
            public sealed record Detail(int Depth);
            public sealed record Quote(decimal Price);
            public sealed record Receipt(int Count);
            [JsonSerializable(typeof(Request))] internal partial class AppJsonContext : JsonSerializerContext;
            [WebSocketGateway] public sealed class G
            {
                [SubscribeMessage("quote")] public Task<Quote> GetQuote(Request request, [MessageBody("detail")] Detail detail) => Task.FromResult(new Quote(1));
                [SubscribeMessage("subscribe")] public WsResponse<Receipt> Subscribe(System.DateTime since) => new("subscribed", new Receipt(1));
            }
            """, "JsonSerializerIsReflectionEnabledByDefault", "false");

        Assert.Equal(
        [
            "'Quote' is serialized as the result of handler 'G.GetQuote', but reflection-based JSON is off (Native AOT) and no JsonSerializerContext of this project declares it: add [JsonSerializable(typeof(Quote))] to the app's context",
            "'Receipt' is serialized as the result of handler 'G.Subscribe', but reflection-based JSON is off (Native AOT) and no JsonSerializerContext of this project declares it: add [JsonSerializable(typeof(Receipt))] to the app's context",
            "'DateTime' is serialized as the body of handler 'G.Subscribe', but reflection-based JSON is off (Native AOT) and no JsonSerializerContext of this project declares it: add [JsonSerializable(typeof(DateTime))] to the app's context",
        ], diagnostics.Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("PublishAot", "false")]
    [InlineData("IsAotCompatible", "")]
    [InlineData("JsonSerializerIsReflectionEnabledByDefault", "true")]
    public async Task NothingIsReportedWhileReflectionIsOn(string property, string value)
    {
        var diagnostics = await AnalyzeAsync("""
            [WebSocketGateway] public sealed class G
            {
                [SubscribeMessage("e")] public object E(IGatewaySocket client) { client.Emit("x", new { a = 1 }); return new { b = 2 }; }
            }
            """, property, value);

        Assert.Empty(diagnostics);
    }

    private sealed class BuildProperties(Dictionary<string, string> values) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(values);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options([]);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options([]);

        private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
        }
    }
}
