using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Gateways.SourceGen.Diagnostics;
using Gateways.SourceGen.Emitting;
using Gateways.SourceGen.Model;
using Gateways.SourceGen.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Gateways.SourceGen;

/// <summary>
/// Turns [WebSocketGateway] classes into dispatch tables. Only the pipeline lives here: parsing is in
/// <see cref="GatewayParser"/>, emitting in <see cref="DispatchEmitter"/> and <see cref="RegistrationEmitter"/>.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class GatewayGenerator : IIncrementalGenerator
{
    private readonly System.Action<INamedTypeSymbol>? _beforeParse;

    /// <summary>The generator as the compiler creates it.</summary>
    public GatewayGenerator()
    {
    }

    /// <summary>A generator that runs <paramref name="beforeParse"/> on each gateway first: the seam through which the
    /// GW0000 test makes parsing fail. An instance's, so no test can leak it into another.</summary>
    internal GatewayGenerator(System.Action<INamedTypeSymbol> beforeParse) => _beforeParse = beforeParse;

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var beforeParse = _beforeParse;
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(KnownNames.WebSocketGatewayAttribute,
                static (node, _) => node is ClassDeclarationSyntax,
                (syntax, cancellationToken) => GatewayParser.Parse(syntax, beforeParse, cancellationToken))
            .WithTrackingName(GatewayGeneratorStepNames.Parse);

        var models = parsed
            .Select(static (result, _) => result.Model)
            .WithTrackingName(GatewayGeneratorStepNames.Model);
        context.RegisterSourceOutput(models, static (output, model) =>
        {
            if (model is null)
            {
                return;
            }
            try
            {
                output.AddSource(model.HintName, DispatchEmitter.Emit(model));
            }
            catch (System.Exception ex) when (ex is not System.OperationCanceledException)
            {
                output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GeneratorFailure, null, model.ClassChain, ex.Message));
            }
        });

        var diagnostics = parsed
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(GatewayGeneratorStepNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (output, found) =>
        {
            foreach (var diagnostic in found)
            {
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
        });

        var summaries = models
            .Where(static model => model is not null)
            .Select(static (model, _) => new GatewaySummary(model!.DispatcherFullName, model.SocketNamespace))
            .WithTrackingName(GatewayGeneratorStepNames.Summary)
            .Collect()
            .WithTrackingName(GatewayGeneratorStepNames.Registration);
        context.RegisterSourceOutput(summaries, static (output, gateways) =>
            output.AddSource(RegistrationEmitter.HintName, RegistrationEmitter.Emit(gateways)));

        // The contracts: every gateway's events and payload shapes, merged into the app's TypeScript event maps and
        // AsyncAPI document. A step of its own, so a change that leaves every contract equal emits nothing new.
        var contracts = parsed
            .Select(static (result, _) => result.Contract)
            .Where(static contract => contract is not null)
            .Select(static (contract, _) => contract!)
            .WithTrackingName(GatewayGeneratorStepNames.Contract)
            .Collect();
        var settings = context.CompilationProvider
            .Select(static (compilation, _) => new ContractSettings(compilation.AssemblyName ?? "Gateways",
                compilation.ReferencedAssemblyNames.Any(static a => a.Name == "Gateways.Authentication.JwtBearer")))
            .WithTrackingName(GatewayGeneratorStepNames.ContractSettings);
        context.RegisterSourceOutput(contracts.Combine(settings), static (output, pair) =>
        {
            if (pair.Left.Length > 0)
            {
                output.AddSource(ContractsEmitter.HintName, ContractsEmitter.Emit(pair.Left, pair.Right));
            }
        });

        // [GatewayClientEvents] interfaces: each implemented by a class of Emit calls.
        var clientEvents = context.SyntaxProvider
            .ForAttributeWithMetadataName(KnownNames.GatewayClientEventsAttribute,
                static (node, _) => node is InterfaceDeclarationSyntax,
                static (syntax, cancellationToken) => ClientEventsParser.Parse(syntax, cancellationToken))
            .WithTrackingName(GatewayGeneratorStepNames.ClientEvents);
        context.RegisterSourceOutput(clientEvents, static (output, result) =>
        {
            foreach (var diagnostic in result.Diagnostics)
            {
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
            if (result.Model is { } model)
            {
                output.AddSource(ClientEventsEmitter.HintName(model), ClientEventsEmitter.Emit(model));
            }
        });

        // [GatewayClient] partial classes: a typed .NET client of a gateway (here or in a referenced assembly).
        var typedClients = context.SyntaxProvider
            .ForAttributeWithMetadataName(KnownNames.GatewayClientAttribute,
                static (node, _) => node is ClassDeclarationSyntax,
                static (syntax, cancellationToken) => TypedClientParser.Parse(syntax, cancellationToken))
            .WithTrackingName(GatewayGeneratorStepNames.TypedClient);
        context.RegisterSourceOutput(typedClients, static (output, result) =>
        {
            foreach (var diagnostic in result.Diagnostics)
            {
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
            if (result.Model is { } model)
            {
                output.AddSource(TypedClientEmitter.HintName(model), TypedClientEmitter.Emit(model));
            }
        });

        // Kept apart from the registration: these carry locations, which move with every edit above them.
        var events = parsed
            .Select(static (result, _) => result.Events)
            .WithTrackingName(GatewayGeneratorStepNames.Events)
            .Collect();
        context.RegisterSourceOutput(events, static (output, perGateway) => ReportDuplicateEvents(output, perGateway));

        // GW0015: a handler whose class is no gateway and no gateway's base class would never run; the catch-all
        // attributes too.
        var orphans = Orphans(context, KnownNames.SubscribeMessageAttribute)
            .Combine(Orphans(context, KnownNames.UnhandledMessageAttribute))
            .Combine(Orphans(context, KnownNames.OnAnyMessageAttribute))
            .Combine(Orphans(context, KnownNames.OnAnyOutgoingAttribute))
            .Select(static (all, _) => all.Left.Left.Left.AddRange(all.Left.Left.Right).AddRange(all.Left.Right).AddRange(all.Right));
        var gatewayBases = context.SyntaxProvider
            .ForAttributeWithMetadataName(KnownNames.WebSocketGatewayAttribute,
                static (node, _) => node is ClassDeclarationSyntax,
                static (syntax, cancellationToken) => OrphanHandlerParser.BaseTypes(syntax, cancellationToken))
            .WithTrackingName(GatewayGeneratorStepNames.GatewayBaseTypes)
            .Collect();
        context.RegisterSourceOutput(orphans.Combine(gatewayBases), static (output, pair) =>
        {
            var bases = new HashSet<string>(System.StringComparer.Ordinal);
            foreach (var names in pair.Right)
            {
                bases.UnionWith(names);
            }
            foreach (var orphan in pair.Left)
            {
                if (!bases.Contains(orphan!.TypeName))
                {
                    output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.HandlerOutsideGateway, orphan.Location?.ToLocation(),
                        orphan.MethodName, orphan.TypeDisplay));
                }
            }
        });
    }

    private static IncrementalValueProvider<System.Collections.Immutable.ImmutableArray<OrphanHandler?>> Orphans(
        IncrementalGeneratorInitializationContext context, string attribute) =>
        context.SyntaxProvider
            .ForAttributeWithMetadataName(attribute,
                static (node, _) => node is MethodDeclarationSyntax,
                static (syntax, cancellationToken) => OrphanHandlerParser.Parse(syntax, cancellationToken))
            .Where(static orphan => orphan is not null)
            .WithTrackingName(GatewayGeneratorStepNames.OrphanHandlers)
            .Collect();

    /// <summary>GW0004 across gateways: every declaration after the first of a (namespace, event) pair.</summary>
    private static void ReportDuplicateEvents(SourceProductionContext output,
        System.Collections.Immutable.ImmutableArray<EquatableArray<EventDeclaration>> perGateway)
    {
        var all = new List<EventDeclaration>();
        foreach (var declarations in perGateway)
        {
            all.AddRange(declarations);
        }
        // Deterministic: the first declaration wins by file and position, whatever order the gateways came in.
        all.Sort((a, b) =>
        {
            var byFile = string.CompareOrdinal(a.Location.FilePath, b.Location.FilePath);
            return byFile != 0 ? byFile : a.Location.Start.CompareTo(b.Location.Start);
        });
        var first = new Dictionary<(string, string), EventDeclaration>();
        foreach (var declaration in all)
        {
            var key = (declaration.SocketNamespace, declaration.EventName);
            if (!first.TryGetValue(key, out var owner))
            {
                first[key] = declaration;
            }
            else if (owner.Gateway != declaration.Gateway)
            {
                output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateEvent, declaration.Location.ToLocation(),
                    declaration.EventName, declaration.SocketNamespace, owner.Gateway));
            }
        }
    }
}

/// <summary>The tracking names of the generator's steps, shared with the caching tests.</summary>
public static class GatewayGeneratorStepNames
{
    /// <summary>Parsing each [WebSocketGateway] class.</summary>
    public const string Parse = "Gateways.Parse";

    /// <summary>The model each dispatch file is emitted from.</summary>
    public const string Model = "Gateways.Model";

    /// <summary>The diagnostics of each gateway.</summary>
    public const string Diagnostics = "Gateways.Diagnostics";

    /// <summary>What the registration needs of each gateway.</summary>
    public const string Summary = "Gateways.Summary";

    /// <summary>All summaries, for the registration file.</summary>
    public const string Registration = "Gateways.Registration";

    /// <summary>Each gateway's part of the contracts.</summary>
    public const string Contract = "Gateways.Contract";

    /// <summary>The app's name and authentication, for the contracts.</summary>
    public const string ContractSettings = "Gateways.ContractSettings";

    /// <summary>Parsing each [GatewayClient] class.</summary>
    public const string TypedClient = "Gateways.TypedClient";

    /// <summary>Parsing each [GatewayClientEvents] interface.</summary>
    public const string ClientEvents = "Gateways.ClientEvents";

    /// <summary>The events each gateway declares, for the duplicate check.</summary>
    public const string Events = "Gateways.Events";

    /// <summary>[SubscribeMessage] methods in classes without [WebSocketGateway].</summary>
    public const string OrphanHandlers = "Gateways.OrphanHandlers";

    /// <summary>The classes each gateway derives from, for the orphan check.</summary>
    public const string GatewayBaseTypes = "Gateways.GatewayBaseTypes";
}
