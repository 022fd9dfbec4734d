using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Gateways.SourceGen.Diagnostics;
using Gateways.SourceGen.Model;
using Microsoft.CodeAnalysis;

namespace Gateways.SourceGen.Parsing;

/// <summary>Turns a [GatewayClientEvents] interface into the model of its generated implementation.</summary>
internal static class ClientEventsParser
{
    private static readonly SymbolDisplayFormat TypeNameFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.UseSpecialTypes
            | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static (ClientEventsModel? Model, EquatableArray<DiagnosticInfo> Diagnostics) Parse(GeneratorAttributeSyntaxContext context,
        CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var diagnostics = new List<DiagnosticInfo>();
        var methods = new List<ClientEventMethod>();
        var names = new Dictionary<string, string>(System.StringComparer.Ordinal);
        var ok = type.TypeKind == TypeKind.Interface && type.TypeParameters.Length == 0;
        foreach (var method in ContractParser.ClientEventMethods(type))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var display = type.Name + "." + method.Name;
            if (!method.ReturnsVoid || method.IsGenericMethod || method.Parameters.Any(p => p.RefKind != RefKind.None))
            {
                diagnostics.Add(Info(DiagnosticDescriptors.InvalidClientEventMethod, method, display));
                ok = false;
                continue;
            }
            var eventName = ContractParser.ClientEventName(method);
            if (names.TryGetValue(eventName, out var first))
            {
                diagnostics.Add(Info(DiagnosticDescriptors.DuplicateClientEvent, method, first, method.Name, type.Name, eventName));
                ok = false;
                continue;
            }
            names[eventName] = method.Name;
            methods.Add(new ClientEventMethod(method.Name, eventName, method.Parameters
                .Select(p => new ClientEventParameter(p.Name, p.Type.ToDisplayString(TypeNameFormat))).ToEquatableArray()));
        }
        if (!ok)
        {
            return (null, diagnostics.ToEquatableArray());
        }
        var fullName = type.ToDisplayString(TypeNameFormat);
        var implementation = type.ToDisplayString().Replace('.', '_').Replace('<', '_').Replace('>', '_') + "_Events";
        return (new ClientEventsModel(fullName, implementation, methods.ToEquatableArray()), diagnostics.ToEquatableArray());
    }

    private static DiagnosticInfo Info(DiagnosticDescriptor descriptor, ISymbol symbol, params string[] arguments) =>
        new(descriptor.Id, LocationInfo.From(symbol.Locations.FirstOrDefault()), arguments.ToEquatableArray());
}
