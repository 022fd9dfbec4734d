using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Gateways.SourceGen.CodeFixes;
using Gateways.SourceGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Gateways.SourceGen.Tests.Diagnostics;

/// <summary>The code fixes turn the source that raised a GW diagnostic into source that builds without it.</summary>
public sealed class CodeFixTests
{
    private const string Usings = "using Gateways;\n";

    /// <summary>Runs the generator, applies the one fix offered for its one diagnostic, and checks that the fixed
    /// source has no diagnostic left.</summary>
    private static async Task<(string Title, string Fixed)> FixAsync(string expectedId, [StringSyntax("C#")] string source)
    {
        var (result, _) = GeneratorHarness.Run(Usings + source);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(expectedId, diagnostic.Id);

        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject("App", LanguageNames.CSharp)
            .WithParseOptions(GeneratorHarness.ParseOptions)
            .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable))
            .WithMetadataReferences(GeneratorHarness.Compile().References);
        var document = project.AddDocument("Source0.cs", SourceText.From(Usings + source));
        var tree = (await document.GetSyntaxTreeAsync())!;
        var located = Diagnostic.Create(diagnostic.Descriptor, Location.Create(tree, diagnostic.Location.SourceSpan),
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));

        var actions = new List<CodeAction>();
        var fixes = new GatewayCodeFixes();
        Assert.Contains(expectedId, fixes.FixableDiagnosticIds);
        await fixes.RegisterCodeFixesAsync(new CodeFixContext(document, located, (action, _) => actions.Add(action), CancellationToken.None));
        var action = Assert.Single(actions);
        var operations = await action.GetOperationsAsync(CancellationToken.None);
        var changed = Assert.IsType<ApplyChangesOperation>(Assert.Single(operations)).ChangedSolution.GetDocument(document.Id)!;
        var text = (await changed.GetTextAsync()).ToString();

        var (after, _) = GeneratorHarness.Run(text);
        Assert.Empty(after.Diagnostics);
        return (action.Title, text[Usings.Length..]);
    }

    [Fact]
    public async Task GW0003_MakesTheHandlerPublic()
    {
        var (title, fixedSource) = await FixAsync("GW0003", """
            [WebSocketGateway] public class G { [SubscribeMessage("e")] private void E() { } }
            """);

        Assert.Equal("Make the handler public", title);
        Assert.Equal("""
            [WebSocketGateway] public class G { [SubscribeMessage("e")] public void E() { } }
            """, fixedSource);
    }

    [Fact]
    public async Task GW0015_MarksTheClassAsAGateway()
    {
        var (title, fixedSource) = await FixAsync("GW0015", """
            public sealed class Lobby
            {
                [SubscribeMessage("join")] public void Join() { }
            }
            """);

        Assert.Equal("Add [WebSocketGateway] to 'Lobby'", title);
        Assert.Equal("""
            [WebSocketGateway]
            public sealed class Lobby
            {
                [SubscribeMessage("join")] public void Join() { }
            }
            """, fixedSource);
    }

    [Fact]
    public async Task GW0016_TakesTheParameterFromServices()
    {
        var (title, fixedSource) = await FixAsync("GW0016", """
            public interface IClock;
            [WebSocketGateway] public class G { [SubscribeMessage("e")] public void E(IGatewaySocket client, IClock clock) { } }
            """);

        Assert.Equal("Take 'clock' from DI with [FromServices]", title);
        Assert.Equal("""
            public interface IClock;
            [WebSocketGateway] public class G { [SubscribeMessage("e")] public void E(IGatewaySocket client, [Microsoft.AspNetCore.Mvc.FromServices] IClock clock) { } }
            """, fixedSource);
    }
}
