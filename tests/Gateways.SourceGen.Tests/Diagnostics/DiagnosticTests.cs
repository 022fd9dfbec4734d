using System.Diagnostics.CodeAnalysis;
using Gateways.SourceGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Gateways.SourceGen.Tests.Diagnostics;

/// <summary>One test per GW id: the id, the exact location (the [|…|] span) and the exact message.</summary>
public sealed class DiagnosticTests
{
    private const string Usings = "using System.Threading.Tasks;\nusing Gateways;\n";

    private static void AssertSingle(string id, DiagnosticSeverity severity, string message, [StringSyntax("C#")] string markedSource)
    {
        var (source, span) = GeneratorHarness.Marked(Usings + markedSource);
        var (result, _) = GeneratorHarness.Run(source);

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(severity, diagnostic.Severity);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("Gateways", diagnostic.Descriptor.Category);
    }

    [Fact]
    public void GW0000_AnUnexpectedFailureBecomesOneDiagnosticNotACrash()
    {
        var faulty = new GatewayGenerator(type =>
        {
            if (type.Name == "FaultyGateway")
            {
                throw new InvalidOperationException("boom");
            }
        });
        var (source, span) = GeneratorHarness.Marked(Usings + """
            [WebSocketGateway] public sealed class [|FaultyGateway|] { [SubscribeMessage("e")] public void E() { } }
            [WebSocketGateway] public sealed class SoundGateway { [SubscribeMessage("e")] public void E() { } }
            """);

        var (result, _) = GeneratorHarness.Run(faulty, source);

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("GW0000", diagnostic.Id);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.Equal("The Gateways generator failed on 'FaultyGateway': InvalidOperationException: boom",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        // The other gateway is still generated.
        Assert.Contains(result.GeneratedTrees, t => t.FilePath.EndsWith("SoundGateway.Dispatch.g.cs", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("public abstract class [|G|] { [SubscribeMessage(\"e\")] public void E() { } }")]
    [InlineData("public static class [|G|] { }")]
    [InlineData("public class [|G|]<T> { [SubscribeMessage(\"e\")] public void E() { } }")]
    public void GW0001_GatewayClassMustBeInstantiable(string declaration) =>
        AssertSingle("GW0001", DiagnosticSeverity.Error, "Gateway 'G' must be a non-abstract, non-static, non-generic class",
            "[WebSocketGateway] " + declaration);

    [Fact]
    public void GW0002_GatewayClassMustBeAccessible() =>
        AssertSingle("GW0002", DiagnosticSeverity.Error, "Gateway 'G' must be public or internal so generated code can use it", """
            public class Outer { [WebSocketGateway] private sealed class [|G|] { [SubscribeMessage("e")] public void E() { } } }
            """);

    [Fact]
    public void GW0003_HandlerMustBeAccessible() =>
        AssertSingle("GW0003", DiagnosticSeverity.Error, "Handler 'G.E' must be public or internal so generated code can call it", """
            [WebSocketGateway] public class G { [SubscribeMessage("e")] private void [|E|]() { } }
            """);

    [Fact]
    public void GW0004_SameEventTwiceInOneGateway() =>
        AssertSingle("GW0004", DiagnosticSeverity.Error, "Event 'e' of namespace '/' is already handled by 'G.A'", """
            [WebSocketGateway] public class G
            {
                [SubscribeMessage("e")] public void A() { }
                [SubscribeMessage("e")] public void [|B|]() { }
            }
            """);

    [Fact]
    public void GW0004_SameEventInTwoGatewaysOfOneNamespace() =>
        AssertSingle("GW0004", DiagnosticSeverity.Error, "Event 'e' of namespace '/chat' is already handled by 'First.A'", """
            [WebSocketGateway("/chat")] public class First { [SubscribeMessage("e")] public void A() { } }
            [WebSocketGateway("/chat")] public class Second { [[|SubscribeMessage("e")|]] public void B() { } }
            [WebSocketGateway("/other")] public class Third { [SubscribeMessage("e")] public void C() { } }
            """);

    [Theory]
    [InlineData("ref int [|x|]", "ref, out, in, params, pointer, ref struct and generic parameters are not supported")]
    [InlineData("System.Span<byte> [|x|]", "ref, out, in, params, pointer, ref struct and generic parameters are not supported")]
    [InlineData("[ConnectedSocket] string [|x|]", "[ConnectedSocket] needs the type IGatewaySocket")]
    [InlineData("[WsUser] string [|x|]", "[WsUser] needs ClaimsPrincipal or a type that implements IWsUser<T>")]
    [InlineData("[Ack] System.Action [|x|]", "[Ack] needs the type AckCallback")]
    [InlineData("[MessageName] int [|x|]", "[MessageName] needs the type string")]
    [InlineData("[MessageBody(\"p\", Index = 1)] int [|x|]", "[MessageBody] takes a property name or an Index, not both")]
    [InlineData("[FromNamespace] System.Uri [|x|]", "[FromNamespace] needs string or a type that implements IParsable<T> (int, Guid…)")]
    public void GW0005_UnsupportedParameter(string parameter, string reason) =>
        AssertSingle("GW0005", DiagnosticSeverity.Error, $"Parameter 'x' of handler 'G.E' cannot be bound: {reason}",
            $"[WebSocketGateway] public class G {{ [SubscribeMessage(\"e\")] public void E({parameter}) {{ }} }}");

    [Fact]
    public void GW0006_TwoWholeBodies() =>
        AssertSingle("GW0006", DiagnosticSeverity.Error,
            "Handler 'G.E' binds the whole message body more than once ('a' and 'b'); give [MessageBody] a property name or an Index", """
            [WebSocketGateway] public class G { [SubscribeMessage("e")] public void E([MessageBody] string a, [MessageBody] string [|b|]) { } }
            """);

    [Theory]
    [InlineData("public object [|Server|] { get; set; }")]
    [InlineData("public IGatewayServer [|Server|] { get; }")]
    [InlineData("public IGatewayServer [|Server|] { get; init; }")]
    [InlineData("public IGatewayServer [|Server|] { get; private set; }")]
    public void GW0007_InvalidServerProperty(string property) =>
        AssertSingle("GW0007", DiagnosticSeverity.Error,
            "[WebSocketServer] property 'Server' must be of type IGatewayServer and have a public or internal setter",
            $"[WebSocketGateway] public class G {{ [WebSocketServer] {property} [SubscribeMessage(\"e\")] public void E() {{ }} }}");

    [Fact]
    public void GW0008_AsyncVoidHandler() =>
        AssertSingle("GW0008", DiagnosticSeverity.Error,
            "Handler 'G.E' is async void; return Task or ValueTask so errors reach the client and the logs", """
            [WebSocketGateway] public class G { [SubscribeMessage("e")] public async void [|E|]() => await Task.Yield(); }
            """);

    [Theory]
    [InlineData("connect")]
    [InlineData("disconnect")]
    [InlineData("newListener")]
    public void GW0009_ReservedEventName(string name) =>
        AssertSingle("GW0009", DiagnosticSeverity.Error, $"'{name}' is a reserved event name in Socket.IO; clients cannot send it",
            $"[WebSocketGateway] public class G {{ [[|SubscribeMessage(\"{name}\")|]] public void E() {{ }} }}");

    [Fact]
    public void GW0010_AckTogetherWithAResult() =>
        AssertSingle("GW0010", DiagnosticSeverity.Error,
            "Handler 'G.E' takes an [Ack] callback and returns a value; the value would never be sent, return void, Task or ValueTask", """
            [WebSocketGateway] public class G { [SubscribeMessage("e")] public Task<int> [|E|]([Ack] AckCallback ack) => Task.FromResult(1); }
            """);

    [Fact]
    public void GW0011_EmptyEventName() =>
        AssertSingle("GW0011", DiagnosticSeverity.Error, "Handler 'G.E' needs a non-empty event name", """
            [WebSocketGateway] public class G { [SubscribeMessage("")] public void [|E|]() { } }
            """);

    [Theory]
    [InlineData("public static void [|E|]() { }")]
    [InlineData("public void [|E|]<T>() { }")]
    public void GW0012_HandlerMustBeANonGenericInstanceMethod(string method) =>
        AssertSingle("GW0012", DiagnosticSeverity.Error, "Handler 'G.E' must be a non-generic instance method",
            $"[WebSocketGateway] public class G {{ [SubscribeMessage(\"e\")] {method} }}");

    [Fact]
    public void GW0013_NamespaceMustStartWithASlash() =>
        AssertSingle("GW0013", DiagnosticSeverity.Error, "Gateway namespace 'chat' of 'G' must start with '/'", """
            [WebSocketGateway("chat")] public class [|G|] { [SubscribeMessage("e")] public void E() { } }
            """);

    [Fact]
    public void GW0014_GatewayThatDoesNothing() =>
        AssertSingle("GW0014", DiagnosticSeverity.Warning, "Gateway 'G' has no [SubscribeMessage] handler, no lifecycle hook, no [WebSocketServer] property and no [Authorize]", """
            [WebSocketGateway] public class [|G|] { public void NotAHandler() { } }
            """);

    [Fact]
    public void GW0014_NotForANamespaceServedForBroadcastsOrGuardedOnly()
    {
        var (result, _) = GeneratorHarness.Run(Usings + """
            [WebSocketGateway("/news")] public class Broadcasts { [WebSocketServer] public IGatewayServer Server { get; set; } = null!; }
            [Microsoft.AspNetCore.Authorization.Authorize] [WebSocketGateway("/members")] public class MembersOnly { }
            """);

        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void GW0015_AHandlerOutsideAnyGatewayNeverRuns() =>
        AssertSingle("GW0015", DiagnosticSeverity.Warning,
            "Handler 'Join' is in 'Lobby', which is not a [WebSocketGateway] and no gateway derives from; it never runs: add [WebSocketGateway] to 'Lobby' or move the handler into a gateway", """
            public sealed class Lobby { [SubscribeMessage("join")] public void [|Join|]() { } }
            """);

    [Theory]
    [InlineData("UnhandledMessage")]
    [InlineData("OnAnyMessage")]
    [InlineData("OnAnyOutgoing")]
    public void GW0015_ACatchAllHandlerOutsideAnyGatewayNeverRuns(string attribute) =>
        AssertSingle("GW0015", DiagnosticSeverity.Warning,
            "Handler 'Any' is in 'Lobby', which is not a [WebSocketGateway] and no gateway derives from; it never runs: add [WebSocketGateway] to 'Lobby' or move the handler into a gateway",
            $"public sealed class Lobby {{ [{attribute}] public void [|Any|]() {{ }} }}");

    [Theory]
    [InlineData("[MessageBody] Dto dto, Dto [|other|]", "[MessageBody] 'dto' already binds the payload")]
    [InlineData("[MessageBody(\"id\")] string id, Dto [|other|]", "[MessageBody] 'id' already binds the payload")]
    [InlineData("IGatewaySocket client, Dto payload, Dto [|other|]", "'payload' is already the payload (the first parameter without an attribute)")]
    [InlineData("IClock [|clock|]", "its type 'IClock' is an interface, which JSON cannot create")]
    [InlineData("Store [|store|]", "its type 'Store' is injected into the gateway's constructor, so it is a service")]
    [InlineData("Shape [|shape|]", "its type 'Shape' is abstract, which JSON cannot create")]
    [InlineData("System.Action [|callback|]", "its type 'Action' is a delegate, which JSON cannot create")]
    public void GW0016_AParameterWithoutABindingIsAnError(string parameters, string reason)
    {
        var name = reason.Contains("already", StringComparison.Ordinal) ? "other" : parameters.Split(' ')[^1].Trim('[', '|', ']');
        AssertSingle("GW0016", DiagnosticSeverity.Error,
            $"Parameter '{name}' of handler 'G.E' has no binding: {reason}; mark it [FromServices] to take it from DI, or [MessageBody] to bind the payload",
            $$"""
            public sealed record Dto(string Id);
            public interface IClock;
            public abstract class Shape;
            public sealed class Store;
            [WebSocketGateway] public class G(Store store) { public Store Store => store; [SubscribeMessage("e")] public void E({{parameters}}) { } }
            """);
    }

    [Theory]
    [InlineData("System.Collections.Generic.IReadOnlyList<string> items")]
    [InlineData("IGatewaySocket client, System.Text.Json.JsonElement payload")]
    [InlineData("[Microsoft.AspNetCore.Mvc.FromServices] Store store, [MessageBody] string text")]
    [InlineData("[Microsoft.Extensions.DependencyInjection.FromKeyedServices(\"main\")] Store store, string text")]
    public void PositionalAndServiceParametersBindWithoutADiagnostic(string parameters)
    {
        var (result, output) = GeneratorHarness.Run(Usings + $$"""
            public sealed class Store;
            [WebSocketGateway] public class G(Store store) { public Store Store => store; [SubscribeMessage("e")] public void E({{parameters}}) { } }
            """);

        Assert.Empty(result.Diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void AHandlerInAGatewaysBaseClassIsNoOrphan()
    {
        var (result, _) = GeneratorHarness.Run(Usings + """
            namespace App;
            public abstract class RoomHandlers { [SubscribeMessage("join")] public string Join() => "joined"; }
            [WebSocketGateway] public sealed class RoomsGateway : RoomHandlers { }
            """);

        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void AWarningStillEmitsCodeThatCompiles()
    {
        var (result, output) = GeneratorHarness.Run(Usings + "[WebSocketGateway] public class G { }");

        Assert.Equal("GW0014", Assert.Single(result.Diagnostics).Id);
        Assert.Contains(result.GeneratedTrees, t => t.FilePath.EndsWith("G.Dispatch.g.cs", StringComparison.Ordinal));
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void GW0018_AnOnAnyListenerMustReturnVoid() =>
        AssertSingle("GW0018", DiagnosticSeverity.Error,
            "[OnAnyMessage] method 'G.Seen' must return void: it sees each event before the event's handler and cannot answer it; use [UnhandledMessage] to answer events no handler takes", """
            [WebSocketGateway] public class G { [OnAnyMessage] public string [|Seen|]([MessageName] string name) => name; }
            """);

    [Fact]
    public void GW0021_AnOnAnyOutgoingListenerMustReturnVoid() =>
        AssertSingle("GW0021", DiagnosticSeverity.Error,
            "[OnAnyOutgoing] method 'G.Sent' must return void: it sees each event as it is sent and cannot change it", """
            [WebSocketGateway] public class G { [OnAnyOutgoing] public Task [|Sent|]([MessageName] string name) => Task.CompletedTask; }
            """);

    [Fact]
    public void GW0022_ClientEventsMustBeAClientEventsInterface() =>
        AssertSingle("GW0022", DiagnosticSeverity.Error,
            "ClientEvents of gateway 'G' is 'IPlain', which is not an interface marked [GatewayClientEvents]", """
            public interface IPlain { void Hello(string text); }
            [WebSocketGateway(ClientEvents = typeof(IPlain))] public class [|G|] { [SubscribeMessage("x")] public void X() { } }
            """);

    [Fact]
    public void GW0023_AClientEventMethodReturnsVoid() =>
        AssertSingle("GW0023", DiagnosticSeverity.Error,
            "Client event method 'IEvents.Ask' must be a non-generic method returning void: it sends one event and waits for nothing", """
            [GatewayClientEvents] public interface IEvents { void Tell(string text); Task<string> [|Ask|](string question); }
            """);

    [Fact]
    public void GW0024_TwoClientEventsWithOneName() =>
        AssertSingle("GW0024", DiagnosticSeverity.Error, "Client events 'Updated' and 'Changed' of 'IEvents' are both named 'updated'", """
            [GatewayClientEvents] public interface IEvents { void Updated(int n); [ClientEvent("updated")] void [|Changed|](int n); }
            """);

    [Fact]
    public void GW0025_ATypedClientMustBePartial() =>
        AssertSingle("GW0025", DiagnosticSeverity.Error,
            "[GatewayClient] class 'GClient' cannot be generated: it must be a partial, non-static, non-generic class that is not nested in another type", """
            [WebSocketGateway] public class G { [SubscribeMessage("x")] public void X() { } }
            [GatewayClient(typeof(G))] public sealed class [|GClient|] { }
            """);

    [Fact]
    public void GW0025_ATypedClientOfAClassThatIsNoGateway() =>
        AssertSingle("GW0025", DiagnosticSeverity.Error,
            "[GatewayClient] class 'GClient' cannot be generated: 'NotAGateway' is not a [WebSocketGateway] class", """
            public class NotAGateway { }
            [GatewayClient(typeof(NotAGateway))] public sealed partial class [|GClient|] { }
            """);

    [Fact]
    public void GW0004_TwoUnhandledMessageHandlersInOneNamespace() =>
        AssertSingle("GW0004", DiagnosticSeverity.Error, "Event '[UnhandledMessage]' of namespace '/chat' is already handled by 'First.A'", """
            [WebSocketGateway("/chat")] public class First { [UnhandledMessage] public void A() { } }
            [WebSocketGateway("/chat")] public class Second { [[|UnhandledMessage|]] public void B() { } }
            [WebSocketGateway("/chat")] public class Third { [OnAnyMessage] public void C() { } [OnAnyMessage] public void D() { } }
            """);

    [Theory]
    [InlineData("/tenant-{id", "'{' at 8 is not closed.")]
    [InlineData("/tenant-id}", "'}' at 10 closes nothing.")]
    [InlineData("/{org}{team}", "'{team}' follows another value directly; put a separator between them.")]
    [InlineData("/{id}-{id}", "'{id}' appears twice.")]
    [InlineData("/tenant-{1d}", "'{1d}' is not a value name (a letter or '_', then letters, digits or '_').")]
    public void GW0019_AMalformedNamespaceTemplate(string template, string problem) =>
        AssertSingle("GW0019", DiagnosticSeverity.Error, $"Namespace template '{template}' of 'G' is malformed: {problem}",
            $"[WebSocketGateway(\"{template}\")] public class [|G|] {{ [SubscribeMessage(\"e\")] public void E() {{ }} }}");

    [Fact]
    public void GW0020_ANamespaceValueTheTemplateDoesNotHave() =>
        AssertSingle("GW0020", DiagnosticSeverity.Error,
            "Parameter 'tenant' of handler 'G.E' binds namespace value 'tenant', but the gateway's namespace '/tenant-{id}' has no '{tenant}'", """
            [WebSocketGateway("/tenant-{id}")] public class G { [SubscribeMessage("e")] public void E([FromNamespace] string id, [FromNamespace] string [|tenant|]) { } }
            """);

    [Fact]
    public void GW0020_ANamespaceValueOnAGatewayWithoutATemplate() =>
        AssertSingle("GW0020", DiagnosticSeverity.Error,
            "Parameter 'x' of handler 'G.E' binds namespace value 'id', but the gateway's namespace '/chat' has no '{id}'", """
            [WebSocketGateway("/chat")] public class G { [SubscribeMessage("e")] public void E([FromNamespace("id")] int [|x|]) { } }
            """);

    [Fact]
    public void AnErrorEmitsNoDispatcherSoTheBuildShowsOnlyTheDiagnostic()
    {
        var (result, output) = GeneratorHarness.Run(Usings + "[WebSocketGateway] public class G { [SubscribeMessage(\"e\")] private void E() { } }");

        Assert.Equal("GW0003", Assert.Single(result.Diagnostics).Id);
        Assert.DoesNotContain(result.GeneratedTrees, t => t.FilePath.EndsWith("G.Dispatch.g.cs", StringComparison.Ordinal));
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }
}

/// <summary>Every GW id leads to its fix: a help link to its anchor in docs/diagnostics.md, and a row there.</summary>
public sealed class DiagnosticDocumentationTests
{
    [Fact]
    public void EveryDiagnosticLinksToItsRowOfTheDocs()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Gateways.sln")))
        {
            root = root.Parent;
        }
        Assert.NotNull(root);
        var docs = File.ReadAllText(Path.Combine(root.FullName, "docs", "diagnostics.md"));
        var released = File.ReadAllText(Path.Combine(root.FullName, "src", "Gateways.SourceGen", "AnalyzerReleases.Unshipped.md"));

        var descriptors = Gateways.SourceGen.Diagnostics.DiagnosticDescriptors.Every.ToList();
        Assert.Equal(26, descriptors.Count);
        foreach (var descriptor in descriptors)
        {
            var anchor = descriptor.Id.ToLowerInvariant();
            Assert.Equal("https://github.com/gateways-dotnet/gateways/blob/main/docs/diagnostics.md#" + anchor, descriptor.HelpLinkUri);
            Assert.Contains($"<a id=\"{anchor}\"></a>{descriptor.Id} | {descriptor.DefaultSeverity} |", docs);
            Assert.Contains($"{descriptor.Id} | Gateways | {descriptor.DefaultSeverity} | {descriptor.Title}", released);
        }
    }
}
