using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Gateways.SourceGen.Model;
using Microsoft.CodeAnalysis;

namespace Gateways.SourceGen.Parsing;

/// <summary>Reads the contract of one gateway (its events both ways and the shapes of their payloads) from the same
/// symbols the dispatch parser reads. Types are described as System.Text.Json writes them with the runtime's web
/// defaults: camelCase property names unless <c>[JsonPropertyName]</c>, <c>[JsonIgnore]</c> left out, enums as
/// numbers unless a <c>JsonStringEnumConverter</c> is declared on them.</summary>
internal sealed class ContractParser
{
    private const int MaxDepth = 16;
    // A type's id: its full name without nullable annotations (Order and Order? are one shape).
    private static readonly SymbolDisplayFormat IdFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted);
    private static readonly Regex Tags = new("<[^>]+>", RegexOptions.Compiled);
    private static readonly Regex Spaces = new(@"\s+", RegexOptions.Compiled);

    private readonly Dictionary<string, TypeShape?> _shapes = new(StringComparer.Ordinal);
    private readonly List<EventContract> _clientToServer = new();
    private readonly List<EventContract> _serverToClient = new();

    public GatewayContract Build(string @namespace, string gateway) => new(
        @namespace,
        gateway,
        _clientToServer.OrderBy(e => e.EventName, StringComparer.Ordinal).ToEquatableArray(),
        _serverToClient.OrderBy(e => e.EventName, StringComparer.Ordinal).ToEquatableArray(),
        _shapes.Values.Where(s => s is not null).Select(s => s!).OrderBy(s => s.Id, StringComparer.Ordinal).ToEquatableArray());

    /// <summary>A [SubscribeMessage] handler: its payload arguments as the client sends them, and its ack.</summary>
    public void AddHandler(IMethodSymbol method, HandlerModel handler)
    {
        var arguments = new SortedDictionary<int, ArgumentContract>();
        var properties = new List<PropertyShape>();
        foreach (var model in handler.Parameters)
        {
            var parameter = method.Parameters.FirstOrDefault(p => p.Name == model.Name);
            if (parameter is null)
            {
                continue;
            }
            switch (model.Kind)
            {
                case ParameterKind.Body:
                    arguments[0] = new ArgumentContract(model.Name, Reference(parameter.Type, 0));
                    break;
                case ParameterKind.BodyIndex:
                    arguments[model.Index] = new ArgumentContract(model.Name, Reference(parameter.Type, 0));
                    break;
                case ParameterKind.BodyProperty:
                    properties.Add(new PropertyShape(model.Property ?? model.Name, Reference(parameter.Type, 0),
                        Required: !IsNullable(parameter.Type)));
                    break;
            }
        }
        if (properties.Count > 0 && !arguments.ContainsKey(0))
        {
            // [MessageBody("a")] x, [MessageBody("b")] y: the client sends one object with those properties.
            var id = method.ContainingType.ToDisplayString(IdFormat) + "." + method.Name + "(payload)";
            _shapes[id] = new TypeShape(id, Helpers.Names.Pascal(handler.EventName) + "Payload", properties.ToEquatableArray(),
                EquatableArray<string>.Empty, false, null);
            arguments[0] = new ArgumentContract("payload", new TypeRef(TypeRefKind.Object, ShapeId: id));
        }
        var ack = AckOf(method, handler);
        _clientToServer.Add(new EventContract(handler.EventName, arguments.Values.ToEquatableArray(), ack, Summary(method)));
    }

    /// <summary>The events of a [GatewayClientEvents] interface, as this gateway's namespace sends them.</summary>
    public void AddClientEvents(INamedTypeSymbol events)
    {
        foreach (var method in ClientEventMethods(events))
        {
            _serverToClient.Add(new EventContract(ClientEventName(method),
                method.Parameters.Select(p => new ArgumentContract(p.Name, Reference(p.Type, 0))).ToEquatableArray(), null, Summary(method)));
        }
    }

    /// <summary>The methods an interface declares and inherits.</summary>
    public static IEnumerable<IMethodSymbol> ClientEventMethods(INamedTypeSymbol events) =>
        new[] { events }.Concat(events.AllInterfaces)
            .SelectMany(t => t.GetMembers().OfType<IMethodSymbol>())
            .Where(m => m.MethodKind == MethodKind.Ordinary && m.IsAbstract);

    public static string ClientEventName(IMethodSymbol method) =>
        FirstString(GatewayParser.FindAttribute(method, KnownNames.ClientEventAttribute))
            ?? char.ToLowerInvariant(method.Name[0]) + method.Name.Substring(1);

    private AckContract? AckOf(IMethodSymbol method, HandlerModel handler)
    {
        if (handler.Parameters.Any(p => p.Kind == ParameterKind.Ack))
        {
            return new AckContract(EquatableArray<TypeRef>.Empty, Unknown: true);
        }
        var type = method.ReturnType as INamedTypeSymbol;
        var answer = handler.Return switch
        {
            ReturnKind.Value => method.ReturnType,
            ReturnKind.TaskOfT or ReturnKind.ValueTaskOfT => type?.TypeArguments[0],
            _ => null,
        };
        if (handler.Return == ReturnKind.AsyncEnumerable)
        {
            return new AckContract(EquatableArray<TypeRef>.Empty, Unknown: true);
        }
        // A handler without a result does not acknowledge (as in NestJS), and a WsResponse<T> answers with an event.
        if (answer is null
            || answer is INamedTypeSymbol { IsGenericType: true } response && GatewayParser.Is(response.OriginalDefinition, KnownNames.WsResponseOfT))
        {
            return null;
        }
        return new AckContract(new[] { Reference(answer, 0) }.ToEquatableArray(), false);
    }

    /// <summary>The JSON type of a .NET type; objects and enums are added to the shapes.</summary>
    private TypeRef Reference(ITypeSymbol type, int depth)
    {
        var nullable = false;
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } wrapped)
        {
            type = wrapped.TypeArguments[0];
            nullable = true;
        }
        nullable |= type.IsReferenceType && type.NullableAnnotation == NullableAnnotation.Annotated;
        var reference = Describe(type, depth);
        return nullable ? reference.AsNullable() : reference;
    }

    private TypeRef Describe(ITypeSymbol type, int depth)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_String or SpecialType.System_Char:
                return new TypeRef(TypeRefKind.String);
            case SpecialType.System_Boolean:
                return new TypeRef(TypeRefKind.Boolean);
            case SpecialType.System_Byte or SpecialType.System_SByte or SpecialType.System_Int16 or SpecialType.System_UInt16
                or SpecialType.System_Int32 or SpecialType.System_UInt32:
                return new TypeRef(TypeRefKind.Integer, Format: "int32");
            case SpecialType.System_Int64 or SpecialType.System_UInt64:
                return new TypeRef(TypeRefKind.Integer, Format: "int64");
            case SpecialType.System_Single:
                return new TypeRef(TypeRefKind.Number, Format: "float");
            case SpecialType.System_Double or SpecialType.System_Decimal:
                return new TypeRef(TypeRefKind.Number, Format: "double");
            case SpecialType.System_DateTime:
                return new TypeRef(TypeRefKind.String, Format: "date-time");
            case SpecialType.System_Object:
                return new TypeRef(TypeRefKind.Unknown);
        }
        var name = type.OriginalDefinition.ToDisplayString();
        switch (name)
        {
            case "System.DateTimeOffset":
                return new TypeRef(TypeRefKind.String, Format: "date-time");
            case "System.DateOnly":
                return new TypeRef(TypeRefKind.String, Format: "date");
            case "System.TimeOnly" or "System.TimeSpan":
                return new TypeRef(TypeRefKind.String);
            case "System.Guid":
                return new TypeRef(TypeRefKind.String, Format: "uuid");
            case "System.Uri":
                return new TypeRef(TypeRefKind.String, Format: "uri");
            case "System.Text.Json.JsonElement" or "System.Text.Json.Nodes.JsonNode" or "System.Text.Json.Nodes.JsonObject"
                or "System.Text.Json.Nodes.JsonArray":
                return new TypeRef(TypeRefKind.Unknown);
            case "System.ReadOnlyMemory<T>" or "System.Memory<T>":
                return new TypeRef(TypeRefKind.Binary);
        }
        if (type is IArrayTypeSymbol array)
        {
            return array.ElementType.SpecialType == SpecialType.System_Byte
                ? new TypeRef(TypeRefKind.Binary)
                : new TypeRef(TypeRefKind.Array, Element: Reference(array.ElementType, depth + 1));
        }
        if (depth > MaxDepth || type is not INamedTypeSymbol named)
        {
            return new TypeRef(TypeRefKind.Unknown);
        }
        if (named.TypeKind == TypeKind.Enum)
        {
            return new TypeRef(TypeRefKind.Enum, ShapeId: AddEnum(named));
        }
        if (Dictionary(named) is { } value)
        {
            return new TypeRef(TypeRefKind.Map, Element: Reference(value, depth + 1));
        }
        if (Enumerable(named) is { } element)
        {
            return new TypeRef(TypeRefKind.Array, Element: Reference(element, depth + 1));
        }
        if (named.TypeKind is TypeKind.Class or TypeKind.Struct or TypeKind.Interface && !named.IsAbstract || named.TypeKind == TypeKind.Struct)
        {
            return new TypeRef(TypeRefKind.Object, ShapeId: AddObject(named, depth));
        }
        return new TypeRef(TypeRefKind.Unknown);
    }

    private string AddObject(INamedTypeSymbol type, int depth)
    {
        var id = type.ToDisplayString(IdFormat);
        if (_shapes.ContainsKey(id))
        {
            return id;
        }
        _shapes[id] = null; // taken: a type that refers to itself ends here
        var properties = new List<PropertyShape>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var t = type; t is not null && t.SpecialType != SpecialType.System_Object && t.SpecialType != SpecialType.System_ValueType; t = t.BaseType)
        {
            foreach (var property in t.GetMembers().OfType<IPropertySymbol>())
            {
                var ignore = Ignore(property);
                if (property.DeclaredAccessibility != Accessibility.Public || property.IsStatic || property.IsIndexer
                    || property.GetMethod is null || ignore == IgnoreCondition.Always
                    || property.Name == "EqualityContract" || !seen.Add(property.Name))
                {
                    continue;
                }
                var shape = Property(property, depth);
                // Left out when null or default: a reader may not find it.
                properties.Add(ignore == IgnoreCondition.Sometimes ? shape with { Required = false } : shape);
            }
        }
        _shapes[id] = new TypeShape(id, type.Name, properties.ToEquatableArray(), EquatableArray<string>.Empty, false,
            Summary(type));
        return id;
    }

    private enum IgnoreCondition
    {
        Never,
        Sometimes,
        Always,
    }

    /// <summary>[JsonIgnore] alone (or Condition = Always) leaves the property out; WhenWritingNull or
    /// WhenWritingDefault makes it optional.</summary>
    private static IgnoreCondition Ignore(IPropertySymbol property)
    {
        if (GatewayParser.FindAttribute(property, "System.Text.Json.Serialization.JsonIgnoreAttribute") is not { } attribute)
        {
            return IgnoreCondition.Never;
        }
        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key == "Condition" && named.Value.Value is int condition)
            {
                // JsonIgnoreCondition: Never 0, Always 1, WhenWritingDefault 2, WhenWritingNull 3, WhenWriting 4, WhenReading 5.
                return condition switch
                {
                    0 or 5 => IgnoreCondition.Never,
                    1 or 4 => IgnoreCondition.Always,
                    _ => IgnoreCondition.Sometimes,
                };
            }
        }
        return IgnoreCondition.Always;
    }

    private PropertyShape Property(IPropertySymbol property, int depth)
    {
        var jsonName = FirstString(GatewayParser.FindAttribute(property, "System.Text.Json.Serialization.JsonPropertyNameAttribute"))
            ?? Camel(property.Name);
        var annotated = HasAttribute(property, "System.ComponentModel.DataAnnotations.RequiredAttribute");
        var required = annotated || property.IsRequired
            || HasAttribute(property, "System.Text.Json.Serialization.JsonRequiredAttribute")
            || !IsNullable(property.Type);
        var type = Reference(property.Type, depth + 1);
        if (annotated)
        {
            type = type with { Nullable = false }; // [Required] refuses null
        }
        int? minLength = null, maxLength = null;
        string? minimum = null, maximum = null, pattern = null;
        foreach (var attribute in property.GetAttributes())
        {
            switch (attribute.AttributeClass?.ToDisplayString())
            {
                case "System.ComponentModel.DataAnnotations.StringLengthAttribute":
                    maxLength = attribute.ConstructorArguments.FirstOrDefault().Value as int?;
                    minLength = attribute.NamedArguments.FirstOrDefault(n => n.Key == "MinimumLength").Value.Value as int?;
                    break;
                case "System.ComponentModel.DataAnnotations.MinLengthAttribute":
                    minLength = attribute.ConstructorArguments.FirstOrDefault().Value as int?;
                    break;
                case "System.ComponentModel.DataAnnotations.MaxLengthAttribute":
                    maxLength = attribute.ConstructorArguments.FirstOrDefault().Value as int?;
                    break;
                case "System.ComponentModel.DataAnnotations.RangeAttribute" when attribute.ConstructorArguments.Length >= 2:
                    minimum = Number(attribute.ConstructorArguments[0].Value);
                    maximum = Number(attribute.ConstructorArguments[1].Value);
                    break;
                case "System.ComponentModel.DataAnnotations.RegularExpressionAttribute":
                    pattern = attribute.ConstructorArguments.FirstOrDefault().Value as string;
                    break;
            }
        }
        return new PropertyShape(jsonName, type, required, minLength is 0 ? null : minLength, maxLength, minimum, maximum, pattern,
            Summary(property));
    }

    private string AddEnum(INamedTypeSymbol type)
    {
        var id = type.ToDisplayString(IdFormat);
        if (_shapes.ContainsKey(id))
        {
            return id;
        }
        var asStrings = type.GetAttributes().Any(a => a.AttributeClass?.Name == "JsonConverterAttribute"
            && a.ConstructorArguments.FirstOrDefault().Value is INamedTypeSymbol converter
            && converter.Name.StartsWith("JsonStringEnumConverter", StringComparison.Ordinal));
        var values = type.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue).Select(f => asStrings
            ? FirstString(GatewayParser.FindAttribute(f, "System.Text.Json.Serialization.JsonStringEnumMemberNameAttribute")) ?? f.Name
            : Convert.ToString(f.ConstantValue, System.Globalization.CultureInfo.InvariantCulture)!);
        _shapes[id] = new TypeShape(id, type.Name, EquatableArray<PropertyShape>.Empty, values.ToEquatableArray(), asStrings,
            Summary(type));
        return id;
    }

    private static ITypeSymbol? Dictionary(INamedTypeSymbol type)
    {
        foreach (var candidate in new[] { type }.Concat(type.AllInterfaces))
        {
            var name = candidate.OriginalDefinition.ToDisplayString();
            if (name is "System.Collections.Generic.IDictionary<TKey, TValue>" or "System.Collections.Generic.IReadOnlyDictionary<TKey, TValue>"
                && candidate.TypeArguments[0].SpecialType == SpecialType.System_String)
            {
                return candidate.TypeArguments[1];
            }
        }
        return null;
    }

    private static ITypeSymbol? Enumerable(INamedTypeSymbol type) =>
        new[] { type }.Concat(type.AllInterfaces)
            .FirstOrDefault(i => i.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T)
            ?.TypeArguments[0];

    private static bool IsNullable(ITypeSymbol type) =>
        type.NullableAnnotation == NullableAnnotation.Annotated
        || type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T;

    private static string? FirstString(AttributeData? attribute) =>
        attribute is { ConstructorArguments.Length: 1 } && attribute.ConstructorArguments[0].Value is string value ? value : null;

    private static bool HasAttribute(ISymbol symbol, string name) => GatewayParser.FindAttribute(symbol, name) is not null;

    private static string Camel(string name) => name.Length == 0 || char.IsLower(name[0]) ? name
        : name.Length == 1 ? name.ToLowerInvariant() : char.ToLowerInvariant(name[0]) + name.Substring(1);

    private static string? Number(object? value) => value switch
    {
        int i => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>The XML doc summary as one line of text, when the project generates documentation.</summary>
    private static string? Summary(ISymbol symbol)
    {
        var xml = symbol.GetDocumentationCommentXml();
        if (string.IsNullOrEmpty(xml))
        {
            return null;
        }
        var start = xml!.IndexOf("<summary>", StringComparison.Ordinal);
        var end = xml.IndexOf("</summary>", StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            return null;
        }
        var inner = xml.Substring(start + 9, end - start - 9);
        // <see cref="T:Ns.Type"/> → Type; other tags dropped.
        inner = Regex.Replace(inner, "<see (?:cref|langword)=\"(?:[A-Z]:)?(?:[^\"]*\\.)?([^\".]+)\"\\s*/>", "$1");
        var text = Spaces.Replace(Tags.Replace(inner, ""), " ").Trim();
        return text.Length == 0 ? null : System.Net.WebUtility.HtmlDecode(text);
    }
}
