using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace Gateways.SourceGen.CodeFixes;

/// <summary>The mechanical fixes of GW diagnostics: GW0003 makes the handler public, GW0015 marks its class
/// [WebSocketGateway], GW0016 takes the parameter from DI with [FromServices].</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(GatewayCodeFixes)), Shared]
public sealed class GatewayCodeFixes : CodeFixProvider
{
    private const string HandlerNotAccessible = "GW0003";
    private const string HandlerOutsideGateway = "GW0015";
    private const string AmbiguousParameter = "GW0016";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(HandlerNotAccessible, HandlerOutsideGateway, AmbiguousParameter);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }
        foreach (var diagnostic in context.Diagnostics)
        {
            var node = root.FindToken(diagnostic.Location.SourceSpan.Start).Parent;
            switch (diagnostic.Id)
            {
                case HandlerNotAccessible when node?.FirstAncestorOrSelf<MethodDeclarationSyntax>() is { } method:
                    Register(context, diagnostic, "Make the handler public", HandlerNotAccessible, root, method, MakePublic(method));
                    break;
                case HandlerOutsideGateway when node?.FirstAncestorOrSelf<ClassDeclarationSyntax>() is { } type:
                    Register(context, diagnostic, $"Add [WebSocketGateway] to '{type.Identifier.ValueText}'", HandlerOutsideGateway, root, type,
                        AddAttributeLine(root, type, Attribute("global::Gateways.WebSocketGateway")));
                    break;
                case AmbiguousParameter when node?.FirstAncestorOrSelf<ParameterSyntax>() is { } parameter:
                    Register(context, diagnostic, $"Take '{parameter.Identifier.ValueText}' from DI with [FromServices]", AmbiguousParameter, root, parameter,
                        parameter.AddAttributeLists(Attribute("global::Microsoft.AspNetCore.Mvc.FromServices").WithTrailingTrivia(SyntaxFactory.Space)));
                    break;
            }
        }
    }

    private static void Register(CodeFixContext context, Diagnostic diagnostic, string title, string equivalenceKey, SyntaxNode root,
        SyntaxNode node, SyntaxNode replacement) =>
        context.RegisterCodeFix(
            CodeAction.Create(title,
                (CancellationToken _) => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(node, replacement))),
                equivalenceKey),
            diagnostic);

    private static MethodDeclarationSyntax MakePublic(MethodDeclarationSyntax method)
    {
        var access = method.Modifiers.Where(m => m.Kind() is SyntaxKind.PrivateKeyword or SyntaxKind.ProtectedKeyword
            or SyntaxKind.InternalKeyword or SyntaxKind.PublicKeyword).ToList();
        var modifiers = method.Modifiers;
        foreach (var modifier in access.Skip(1))
        {
            modifiers = modifiers.Remove(modifiers.First(m => m.IsKind(modifier.Kind())));
        }
        var publicKeyword = SyntaxFactory.Token(SyntaxKind.PublicKeyword);
        if (access.Count > 0)
        {
            var first = modifiers.First(m => m.IsKind(access[0].Kind()));
            return method.WithModifiers(modifiers.Replace(first, publicKeyword.WithTriviaFrom(first)));
        }
        // No modifier: "public" goes first, taking over the declaration's leading trivia.
        return method.WithoutLeadingTrivia()
            .WithModifiers(modifiers.Insert(0, publicKeyword.WithLeadingTrivia(method.GetLeadingTrivia()).WithTrailingTrivia(SyntaxFactory.Space)));
    }

    /// <summary>Puts the attribute on a line of its own above the declaration, at its indentation, before any other.</summary>
    private static ClassDeclarationSyntax AddAttributeLine(SyntaxNode root, ClassDeclarationSyntax type, AttributeListSyntax attribute)
    {
        var leading = type.GetLeadingTrivia();
        var newLine = root.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
        var line = attribute.WithLeadingTrivia(leading)
            .WithTrailingTrivia(newLine.IsKind(SyntaxKind.EndOfLineTrivia) ? newLine : SyntaxFactory.LineFeed);
        var indentation = leading.LastOrDefault();
        var rest = type.WithoutLeadingTrivia();
        if (indentation.IsKind(SyntaxKind.WhitespaceTrivia))
        {
            rest = rest.WithLeadingTrivia(indentation);
        }
        return rest.WithAttributeLists(rest.AttributeLists.Insert(0, line));
    }

    private static AttributeListSyntax Attribute(string qualifiedName) =>
        SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(
            SyntaxFactory.Attribute(SyntaxFactory.ParseName(qualifiedName).WithAdditionalAnnotations(Simplifier.Annotation))));
}
