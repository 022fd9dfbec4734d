using Microsoft.CodeAnalysis;

namespace Gateways.SourceGen.Parsing;

/// <summary>Which types the runtime serializes for a handler, shared by the generator's startup checks and the AOT
/// analyzer.</summary>
internal static class SerializedTypes
{
    /// <summary>The type a handler's results are written as — the value of a Task, a stream's item, a WsResponse's
    /// data — or null when nothing is written or only the runtime type is known (object, interfaces).</summary>
    public static ITypeSymbol? Result(ITypeSymbol returnType)
    {
        var type = returnType;
        if (type is INamedTypeSymbol { IsGenericType: true } generic
            && (GatewayParser.Is(generic.OriginalDefinition, KnownNames.TaskOfT) || GatewayParser.Is(generic.OriginalDefinition, KnownNames.ValueTaskOfT)
                || GatewayParser.Is(generic.OriginalDefinition, KnownNames.AsyncEnumerable)))
        {
            type = generic.TypeArguments[0];
        }
        else if (type.SpecialType == SpecialType.System_Void || GatewayParser.Is(type, KnownNames.Task) || GatewayParser.Is(type, KnownNames.ValueTask))
        {
            return null;
        }
        if (type is INamedTypeSymbol named && GatewayParser.Is(named.OriginalDefinition, KnownNames.WsResponseOfT))
        {
            type = named.TypeArguments[0];
        }
        return type.SpecialType == SpecialType.System_Object || type.TypeKind is TypeKind.Interface or TypeKind.Dynamic or TypeKind.TypeParameter
            ? null
            : type;
    }
}
