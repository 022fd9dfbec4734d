using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Gateways.SourceGen.Parsing;
using Microsoft.CodeAnalysis;

namespace Gateways.SourceGen.Diagnostics.Analyzers;

/// <summary>The types that have JSON metadata without reflection: those the runtime declares itself, and those the
/// <c>[JsonSerializable]</c> attributes of the project's <c>JsonSerializerContext</c> classes reach (with their
/// members, elements and type arguments, as System.Text.Json's generator walks them). Built once per compilation.</summary>
internal sealed class JsonMetadataCatalog
{
    private const string JsonSerializerContext = "System.Text.Json.Serialization.JsonSerializerContext";
    private const string JsonSerializableAttribute = "System.Text.Json.Serialization.JsonSerializableAttribute";

    private readonly HashSet<ITypeSymbol> _known = new(SymbolEqualityComparer.Default);

    private JsonMetadataCatalog()
    {
    }

    public static JsonMetadataCatalog Build(Compilation compilation, CancellationToken cancellationToken)
    {
        var catalog = new JsonMetadataCatalog();
        // What Gateways.Runtime's own context declares (Internal/GatewaysJsonContext.cs).
        foreach (var special in new[] { SpecialType.System_String, SpecialType.System_Int32, SpecialType.System_Int64,
                     SpecialType.System_Double, SpecialType.System_Decimal, SpecialType.System_Boolean })
        {
            catalog._known.Add(compilation.GetSpecialType(special));
        }
        var stringType = compilation.GetSpecialType(SpecialType.System_String);
        catalog._known.Add(compilation.CreateArrayTypeSymbol(stringType));
        foreach (var type in new[] { compilation.GetTypeByMetadataName("System.Text.Json.JsonElement"),
                     compilation.GetTypeByMetadataName("Gateways.Handshake") })
        {
            if (type is not null)
            {
                catalog._known.Add(type);
            }
        }
        if (compilation.GetTypeByMetadataName("System.Collections.Generic.Dictionary`2") is { } dictionary)
        {
            catalog._known.Add(dictionary.Construct(stringType, stringType));
            catalog._known.Add(dictionary.Construct(stringType, compilation.GetSpecialType(SpecialType.System_Object)));
        }
        catalog.AddContexts(compilation.Assembly.GlobalNamespace, cancellationToken);
        return catalog;
    }

    /// <summary>Whether serializing <paramref name="type"/> works without reflection.</summary>
    public bool Knows(ITypeSymbol type) => _known.Contains(type) || IsBinary(type);

    /// <summary>byte[] and ReadOnlyMemory&lt;byte&gt; arguments travel as binary attachments, not as JSON.</summary>
    public static bool IsBinary(ITypeSymbol type) =>
        type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte }
        || type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } memory
            && memory.TypeArguments[0].SpecialType == SpecialType.System_Byte
            && memory.ContainingNamespace?.ToDisplayString() == "System" && memory.Name is "ReadOnlyMemory" or "Memory";

    private void AddContexts(INamespaceSymbol ns, CancellationToken cancellationToken)
    {
        foreach (var member in ns.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (member is INamespaceSymbol inner)
            {
                AddContexts(inner, cancellationToken);
            }
            else if (member is INamedTypeSymbol type)
            {
                AddContext(type);
            }
        }
    }

    private void AddContext(INamedTypeSymbol type)
    {
        foreach (var nested in type.GetTypeMembers())
        {
            AddContext(nested);
        }
        if (!DerivesFromContext(type))
        {
            return;
        }
        foreach (var attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass is { } attributeClass && GatewayParser.Is(attributeClass, JsonSerializableAttribute)
                && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is ITypeSymbol root)
            {
                Walk(root);
            }
        }
    }

    private static bool DerivesFromContext(INamedTypeSymbol type)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (GatewayParser.Is(t, JsonSerializerContext))
            {
                return true;
            }
        }
        return false;
    }

    private void Walk(ITypeSymbol type)
    {
        if (!_known.Add(type))
        {
            return;
        }
        switch (type)
        {
            case IArrayTypeSymbol array:
                Walk(array.ElementType);
                return;
            case INamedTypeSymbol { IsGenericType: true } generic when IsFrameworkType(generic):
                // Nullable<T>, List<T>, Dictionary<K, V>, IEnumerable<T>…: their metadata comes with their arguments'.
                foreach (var argument in generic.TypeArguments)
                {
                    Walk(argument);
                }
                return;
        }
        if (IsFrameworkType(type) || type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            return;
        }
        foreach (var member in type.GetMembers().Concat(BaseMembers(type)))
        {
            switch (member)
            {
                case IPropertySymbol { IsStatic: false, DeclaredAccessibility: Accessibility.Public, IsIndexer: false } property:
                    Walk(property.Type);
                    break;
                case IFieldSymbol { IsStatic: false, DeclaredAccessibility: Accessibility.Public } field:
                    Walk(field.Type);
                    break;
            }
        }
        if (type is INamedTypeSymbol { IsGenericType: true } named)
        {
            foreach (var argument in named.TypeArguments)
            {
                Walk(argument);
            }
        }
    }

    private static IEnumerable<ISymbol> BaseMembers(ITypeSymbol type)
    {
        for (var t = type.BaseType; t is not null && t.SpecialType != SpecialType.System_Object && !IsFrameworkType(t); t = t.BaseType)
        {
            foreach (var member in t.GetMembers())
            {
                yield return member;
            }
        }
    }

    private static bool IsFrameworkType(ITypeSymbol type) =>
        type.ContainingNamespace?.ToDisplayString() is { } ns && (ns == "System" || ns.StartsWith("System.", System.StringComparison.Ordinal));
}
