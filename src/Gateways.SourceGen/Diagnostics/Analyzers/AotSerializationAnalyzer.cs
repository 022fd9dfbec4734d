using System;
using System.Collections.Immutable;
using System.Linq;
using Gateways.SourceGen.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Gateways.SourceGen.Diagnostics.Analyzers;

/// <summary>GW0017: where reflection-based JSON is off (Native AOT), a type that no <c>JsonSerializerContext</c> of
/// the project declares fails at its first event. This finds the ones the code shows — handler bodies and results,
/// anonymous types returned by handlers, and the arguments of emits, server-side emits and acknowledgements — at
/// build time.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AotSerializationAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The build properties that turn reflection-based serialization off; the package makes them visible.</summary>
    private static readonly (string Property, string OffWhen)[] ReflectionSwitches =
    {
        ("build_property.PublishAot", "true"),
        ("build_property.IsAotCompatible", "true"),
        ("build_property.JsonSerializerIsReflectionEnabledByDefault", "false"),
    };

    /// <summary>Methods of the Gateways contracts whose arguments are serialized.</summary>
    private static readonly string[] SendingMethods =
        { "Emit", "EmitWithAckAsync", "ServerSideEmit", "ServerSideEmitWithAckAsync", "SendToUser", "Invoke" };

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.NotSerializableWithoutReflection);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (!ReflectionIsOff(start.Options.AnalyzerConfigOptionsProvider.GlobalOptions)
                || start.Compilation.GetTypeByMetadataName(KnownNames.SubscribeMessageAttribute) is null)
            {
                return;
            }
            var catalog = new Lazy<JsonMetadataCatalog>(() => JsonMetadataCatalog.Build(start.Compilation, start.CancellationToken));
            start.RegisterSymbolAction(c => AnalyzeHandler(c, catalog.Value), SymbolKind.Method);
            start.RegisterOperationAction(c => AnalyzeReturn(c), OperationKind.Return);
            start.RegisterOperationAction(c => AnalyzeSend(c, catalog.Value), OperationKind.Invocation);
        });
    }

    private static bool ReflectionIsOff(AnalyzerConfigOptions options) =>
        ReflectionSwitches.Any(s => options.TryGetValue(s.Property, out var value) && string.Equals(value?.Trim(), s.OffWhen, StringComparison.OrdinalIgnoreCase));

    private static bool IsHandler(ISymbol? symbol) =>
        symbol is IMethodSymbol method && GatewayParser.FindAttribute(method, KnownNames.SubscribeMessageAttribute) is not null;

    /// <summary>A handler's body parameters and its result type.</summary>
    private static void AnalyzeHandler(SymbolAnalysisContext context, JsonMetadataCatalog catalog)
    {
        var method = (IMethodSymbol)context.Symbol;
        if (!IsHandler(method))
        {
            return;
        }
        var handler = method.ContainingType.Name + "." + method.Name;
        foreach (var parameter in method.Parameters)
        {
            if (IsBody(parameter) && !catalog.Knows(parameter.Type))
            {
                Report(context.ReportDiagnostic, parameter.Locations.FirstOrDefault(), parameter.Type, $"as the body of handler '{handler}'");
            }
        }
        if (SerializedTypes.Result(method.ReturnType) is { } result && !catalog.Knows(result) && !result.IsAnonymousType)
        {
            Report(context.ReportDiagnostic, method.Locations.FirstOrDefault(), result, $"as the result of handler '{handler}'");
        }
    }

    /// <summary>An anonymous object returned by a handler (declared as object): no context can declare it.</summary>
    private static void AnalyzeReturn(OperationAnalysisContext context)
    {
        var operation = (IReturnOperation)context.Operation;
        if (operation.ReturnedValue is { } value && IsHandler(context.ContainingSymbol) && Unconverted(value).Type is { IsAnonymousType: true } type)
        {
            var method = (IMethodSymbol)context.ContainingSymbol;
            Report(context.ReportDiagnostic, value.Syntax.GetLocation(), type, $"as the result of handler '{method.ContainingType.Name}.{method.Name}'");
        }
    }

    /// <summary>The arguments of Emit, EmitWithAckAsync, ServerSideEmit, SendToUser and an AckCallback call.</summary>
    private static void AnalyzeSend(OperationAnalysisContext context, JsonMetadataCatalog catalog)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var target = invocation.TargetMethod;
        // Cheap checks first: this runs for every call in the project ("Invoke" is every delegate call).
        if (Array.IndexOf(SendingMethods, target.Name) < 0
            || target.ContainingType?.ContainingNamespace is not { Name: "Gateways", ContainingNamespace.IsGlobalNamespace: true }
            || (target.Name == "Invoke" && !GatewayParser.Is(target.ContainingType, KnownNames.AckCallback)))
        {
            return;
        }
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Type is not IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Object }
                && argument.Parameter?.Type.SpecialType != SpecialType.System_Object)
            {
                continue;
            }
            var values = argument.ArgumentKind == ArgumentKind.ParamArray && argument.Value is IArrayCreationOperation { Initializer: { } initializer }
                ? initializer.ElementValues
                : ImmutableArray.Create(argument.Value);
            foreach (var value in values)
            {
                var type = Unconverted(value).Type;
                // Boxing sends the runtime type: an int? arrives as an int.
                if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
                {
                    type = nullable.TypeArguments[0];
                }
                if (type is null || type.SpecialType == SpecialType.System_Object || type.TypeKind is TypeKind.Interface or TypeKind.TypeParameter
                    || type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Object } || catalog.Knows(type))
                {
                    continue;
                }
                Report(context.ReportDiagnostic, value.Syntax.GetLocation(), type, $"by this {target.Name} call");
            }
        }
    }

    private static IOperation Unconverted(IOperation value)
    {
        while (value is IConversionOperation { IsImplicit: true } conversion)
        {
            value = conversion.Operand;
        }
        return value;
    }

    /// <summary>As the generator binds: [MessageBody], or no attribute and no type the runtime provides.</summary>
    private static bool IsBody(IParameterSymbol parameter)
    {
        if (GatewayParser.FindAttribute(parameter, KnownNames.MessageBodyAttribute) is not null)
        {
            return true;
        }
        if (parameter.GetAttributes().Length > 0)
        {
            return false;
        }
        var type = parameter.Type;
        // An undecorated interface is GW0016 (it would be a service), not a body.
        return type.TypeKind != TypeKind.Interface && !(GatewayParser.Is(type, KnownNames.GatewaySocket) || GatewayParser.Is(type, KnownNames.CancellationToken)
            || GatewayParser.Is(type, KnownNames.GatewayEventContext) || GatewayParser.Is(type, KnownNames.GatewayServer)
            || GatewayParser.Is(type, KnownNames.ServiceProvider) || GatewayParser.Is(type, KnownNames.AckCallback));
    }

    private static void Report(Action<Diagnostic> report, Location? location, ITypeSymbol type, string where)
    {
        var display = type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        var (what, fix) = type.IsAnonymousType
            ? ("An anonymous type", "no JsonSerializerContext can declare an anonymous type: declare a record for it")
            : ($"'{display}'", $"no JsonSerializerContext of this project declares it: add [JsonSerializable(typeof({display}))] to the app's context");
        report(Diagnostic.Create(DiagnosticDescriptors.NotSerializableWithoutReflection, location, what, where, fix));
    }
}
