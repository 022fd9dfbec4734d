using System.Collections;
using System.Reflection;
using Gateways.SourceGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Gateways.SourceGen.Tests.Incremental;

/// <summary>The generator's caching: edits that do not touch a gateway's shape leave its steps Cached or Unchanged.</summary>
public sealed class IncrementalGeneratorTests
{
    private const string Gateway = """
        using Gateways;

        namespace App;

        [GatewayClientEvents]
        public interface IChatClient { void Joined(string room); }

        [GatewayClient(typeof(ChatGateway))]
        public sealed partial class ChatClient;

        [WebSocketGateway("/chat", ClientEvents = typeof(IChatClient))]
        public sealed class ChatGateway
        {
            [SubscribeMessage("join")]
            public string Join([MessageBody] string room)
            {
                return room;
            }
        }
        """;

    private static readonly string[] ModelSteps =
    [
        GatewayGeneratorStepNames.Model,
        GatewayGeneratorStepNames.Summary,
        GatewayGeneratorStepNames.Registration,
    ];

    [Fact]
    public void RunningTheSameCompilationAgainCachesEveryStep()
    {
        var compilation = GeneratorHarness.Compile(Gateway);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var result = driver.RunGenerators(compilation).GetRunResult().Results[0];

        foreach (var step in AllStepNames())
        {
            Assert.All(Reasons(result, step), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        }
    }

    [Fact]
    public void AddingAnUnrelatedFileRegeneratesNothing()
    {
        var compilation = GeneratorHarness.Compile(Gateway);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace App; public sealed class Unrelated { }",
            GeneratorHarness.ParseOptions, path: "Unrelated.cs"));
        var result = driver.RunGenerators(edited).GetRunResult().Results[0];

        foreach (var step in AllStepNames())
        {
            // The transforms rerun against the new compilation and give equal results; nothing downstream of them runs.
            var expected = step is GatewayGeneratorStepNames.Parse or GatewayGeneratorStepNames.OrphanHandlers or GatewayGeneratorStepNames.GatewayBaseTypes
                or GatewayGeneratorStepNames.ContractSettings or GatewayGeneratorStepNames.ClientEvents or GatewayGeneratorStepNames.TypedClient
                ? IncrementalStepRunReason.Unchanged
                : IncrementalStepRunReason.Cached;
            Assert.All(Reasons(result, step), reason => Assert.Equal((step, expected), (step, reason)));
        }
    }

    [Fact]
    public void EditingOnlyAHandlerBodyLeavesTheModelUnchanged()
    {
        var compilation = GeneratorHarness.Compile(Gateway);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var before = driver.GetRunResult().GeneratedTrees.Select(t => t.ToString()).ToList();

        var edited = Replace(compilation, "return room;", "return room.Trim();");
        driver = driver.RunGenerators(edited);
        var result = driver.GetRunResult().Results[0];

        // The parse step reruns because its syntax changed, and produces an equal result (the edit is after every
        // location the result keeps), so nothing downstream runs at all.
        Assert.Equal([IncrementalStepRunReason.Unchanged], Reasons(result, GatewayGeneratorStepNames.Parse));
        foreach (var step in ModelSteps)
        {
            Assert.All(Reasons(result, step), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        }
        Assert.Equal(before, driver.GetRunResult().GeneratedTrees.Select(t => t.ToString()));
    }

    [Fact]
    public void RenamingAnEventModifiesTheModelButNotTheRegistration()
    {
        var compilation = GeneratorHarness.Compile(Gateway);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var edited = Replace(compilation, "[SubscribeMessage(\"join\")]", "[SubscribeMessage(\"enter\")]");
        var result = driver.RunGenerators(edited).GetRunResult().Results[0];

        Assert.Equal([IncrementalStepRunReason.Modified], Reasons(result, GatewayGeneratorStepNames.Model));
        // The registration names dispatchers only, so an event rename does not touch it.
        Assert.All(Reasons(result, GatewayGeneratorStepNames.Summary), reason => Assert.Equal(IncrementalStepRunReason.Unchanged, reason));
        Assert.All(Reasons(result, GatewayGeneratorStepNames.Registration), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        Assert.Contains(result.GeneratedSources, s => s.SourceText.ToString().Contains("\"enter\"", StringComparison.Ordinal));
    }

    [Fact]
    public void AddingASecondGatewayKeepsTheFirstCached()
    {
        var compilation = GeneratorHarness.Compile(Gateway);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("""
            using Gateways;
            namespace App;
            [WebSocketGateway] public sealed class SecondGateway { [SubscribeMessage("ping")] public string Ping() => "pong"; }
            """, GeneratorHarness.ParseOptions, path: "Second.cs"));
        var result = driver.RunGenerators(edited).GetRunResult().Results[0];

        var reasons = Reasons(result, GatewayGeneratorStepNames.Model);
        Assert.Contains(IncrementalStepRunReason.New, reasons);
        Assert.Contains(IncrementalStepRunReason.Cached, reasons);
    }

    [Fact]
    public void TheModelHoldsNoSymbolsSyntaxOrCompilation()
    {
        var compilation = GeneratorHarness.Compile(Gateway);
        var result = GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult().Results[0];

        var outputs = result.TrackedSteps[GatewayGeneratorStepNames.Parse].SelectMany(s => s.Outputs).Select(o => o.Value).ToList();
        Assert.NotEmpty(outputs);
        foreach (var output in outputs)
        {
            AssertNoRoslynObjects(output, new HashSet<object>(ReferenceEqualityComparer.Instance), "result");
        }
    }

    private static void AssertNoRoslynObjects(object? value, HashSet<object> visited, string path)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !visited.Add(value))
        {
            return;
        }
        Assert.False(value is ISymbol or SyntaxNode or Compilation or SemanticModel or Location or SyntaxTree,
            $"{path} holds a {value.GetType().Name}, which would defeat caching.");
        if (value is IEnumerable items)
        {
            var i = 0;
            foreach (var item in items)
            {
                AssertNoRoslynObjects(item, visited, $"{path}[{i++}]");
            }
            return;
        }
        foreach (var field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertNoRoslynObjects(field.GetValue(value), visited, $"{path}.{field.Name}");
        }
    }

    private static string[] AllStepNames() =>
    [
        GatewayGeneratorStepNames.Parse, GatewayGeneratorStepNames.Model, GatewayGeneratorStepNames.Diagnostics,
        GatewayGeneratorStepNames.Summary, GatewayGeneratorStepNames.Registration, GatewayGeneratorStepNames.Events,
        GatewayGeneratorStepNames.Contract, GatewayGeneratorStepNames.ContractSettings, GatewayGeneratorStepNames.ClientEvents,
        GatewayGeneratorStepNames.TypedClient,
    ];

    private static List<IncrementalStepRunReason> Reasons(GeneratorRunResult result, string step)
    {
        Assert.True(result.TrackedSteps.TryGetValue(step, out var steps), $"step '{step}' did not run");
        return [.. steps.SelectMany(s => s.Outputs).Select(o => o.Reason)];
    }

    private static Compilation Replace(Compilation compilation, string from, string to)
    {
        var tree = compilation.SyntaxTrees.First();
        var text = tree.GetText().ToString();
        Assert.Contains(from, text);
        return compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text.Replace(from, to, StringComparison.Ordinal))));
    }
}
