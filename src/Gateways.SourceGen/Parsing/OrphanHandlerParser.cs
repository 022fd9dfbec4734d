using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Gateways.SourceGen.Model;
using Microsoft.CodeAnalysis;

namespace Gateways.SourceGen.Parsing;

/// <summary>Finds handlers outside gateways (GW0015) and, for each gateway, the classes it derives from: a handler in
/// a class some gateway derives from is that gateway's, not an orphan.</summary>
internal static class OrphanHandlerParser
{
    private static readonly SymbolDisplayFormat Qualified = SymbolDisplayFormat.FullyQualifiedFormat;

    /// <summary>The handler, when its class is not itself a [WebSocketGateway]; otherwise null.</summary>
    public static OrphanHandler? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (context.TargetSymbol is not IMethodSymbol { ContainingType: { } type } method || IsGateway(type))
        {
            return null;
        }
        return new OrphanHandler(type.OriginalDefinition.ToDisplayString(Qualified), type.Name, method.Name,
            LocationInfo.From(method.Locations.FirstOrDefault()));
    }

    /// <summary>The classes a [WebSocketGateway] class derives from, fully qualified.</summary>
    public static EquatableArray<string> BaseTypes(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        for (var type = ((INamedTypeSymbol)context.TargetSymbol).BaseType;
             type is not null && type.SpecialType != SpecialType.System_Object; type = type.BaseType)
        {
            cancellationToken.ThrowIfCancellationRequested();
            names.Add(type.OriginalDefinition.ToDisplayString(Qualified));
        }
        return names.ToEquatableArray();
    }

    private static bool IsGateway(INamedTypeSymbol type)
    {
        foreach (var attribute in type.GetAttributes())
        {
            for (var attributeType = attribute.AttributeClass; attributeType is not null; attributeType = attributeType.BaseType)
            {
                if (attributeType.ToDisplayString() == KnownNames.WebSocketGatewayAttribute)
                {
                    return true;
                }
            }
        }
        return false;
    }
}
