using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Gateways.SourceGen.Diagnostics;
using Gateways.SourceGen.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Gateways.SourceGen.Parsing;

/// <summary>Reads a [GatewayClient(typeof(SomeGateway))] partial class: the gateway's handled events (what the client
/// sends) through the same parser as its dispatch, and its ClientEvents interface (what the client listens to).</summary>
internal static class TypedClientParser
{
    private static readonly SymbolDisplayFormat TypeNameFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.UseSpecialTypes
            | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static (TypedClientModel? Model, EquatableArray<DiagnosticInfo> Diagnostics) Parse(GeneratorAttributeSyntaxContext context,
        CancellationToken cancellationToken)
    {
        try
        {
            return ParseClient(context, cancellationToken);
        }
        catch (System.Exception ex) when (ex is not System.OperationCanceledException)
        {
            // A generator bug must not take the build down silently: the class says what failed.
            return (null, new[] { Info((INamedTypeSymbol)context.TargetSymbol, $"the generator failed ({ex.GetType().Name}: {ex.Message})") }
                .ToEquatableArray());
        }
    }

    private static (TypedClientModel? Model, EquatableArray<DiagnosticInfo> Diagnostics) ParseClient(GeneratorAttributeSyntaxContext context,
        CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var syntax = (ClassDeclarationSyntax)context.TargetNode;
        string? problem = null;
        var gateway = context.Attributes[0].ConstructorArguments.Length == 1 ? context.Attributes[0].ConstructorArguments[0].Value as INamedTypeSymbol : null;
        var gatewayAttribute = gateway is null ? null : GatewayParser.FindAttribute(gateway, KnownNames.WebSocketGatewayAttribute);
        if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword) || type.ContainingType is not null || type.TypeParameters.Length > 0 || type.IsStatic)
        {
            problem = "it must be a partial, non-static, non-generic class that is not nested in another type";
        }
        else if (gateway is null || gatewayAttribute is null)
        {
            problem = $"'{gateway?.ToDisplayString() ?? "?"}' is not a [WebSocketGateway] class";
        }
        else if (context.SemanticModel.Compilation.GetTypeByMetadataName(KnownNames.GatewayTestClient) is null)
        {
            problem = "the client is built on Gateways.Testing's GatewayTestClient; reference the Gateways.Testing package";
        }
        if (problem is not null)
        {
            return (null, new[] { Info(type, problem) }.ToEquatableArray());
        }

        var parsed = GatewayParser.ParseSymbol(gateway!, gatewayAttribute!, cancellationToken);
        if (parsed.Model is not { } model)
        {
            return (null, new[] { Info(type, $"the gateway '{gateway!.Name}' has errors of its own") }.ToEquatableArray());
        }
        var names = new HashSet<string>(System.StringComparer.Ordinal) { "Connection", "ConnectAsync", "Namespace", type.Name };
        var sends = new List<TypedClientSend>();
        foreach (var handler in model.Handlers.Where(h => h.Role == HandlerRole.Event))
        {
            cancellationToken.ThrowIfCancellationRequested();
            // The handler's method by its event (an overload of the same name is another method).
            var method = Methods(gateway!).FirstOrDefault(m => m.Name == handler.MethodName
                && GatewayParser.FindAttribute(m, KnownNames.SubscribeMessageAttribute) is { ConstructorArguments.Length: 1 } subscribe
                && subscribe.ConstructorArguments[0].Value as string == handler.EventName);
            var body = handler.Parameters.Where(p => p.Kind is ParameterKind.Body or ParameterKind.BodyIndex or ParameterKind.BodyProperty).ToList();
            if (method is null || body.Any(p => method.Parameters.All(m => m.Name != p.Name)))
            {
                continue;
            }
            var byProperty = body.Any(p => p.Kind == ParameterKind.BodyProperty);
            var ordered = byProperty ? body : body.OrderBy(p => p.Kind == ParameterKind.Body ? 0 : p.Index).ToList();
            var parameters = ordered.Select(p => new ClientEventParameter(p.Name,
                method.Parameters.First(m => m.Name == p.Name).Type.ToDisplayString(TypeNameFormat))).ToEquatableArray();
            var (ack, ackType) = Ack(method, handler);
            sends.Add(new TypedClientSend(Helpers.Names.Unique(names, Helpers.Names.Pascal(handler.EventName) + "Async"), handler.EventName, parameters,
                byProperty ? ordered.Select(p => p.Property ?? p.Name).ToEquatableArray() : EquatableArray<string>.Empty, ack, ackType));
        }
        var listens = new List<TypedClientListen>();
        if (ClientEvents(gatewayAttribute!) is INamedTypeSymbol events && GatewayParser.FindAttribute(events, KnownNames.GatewayClientEventsAttribute) is not null)
        {
            foreach (var method in ContractParser.ClientEventMethods(events))
            {
                var eventName = ContractParser.ClientEventName(method);
                var suffix = Helpers.Names.Pascal(eventName);
                if (names.Contains("On" + suffix) || names.Contains("WaitFor" + suffix + "Async"))
                {
                    suffix = Helpers.Names.Unique(names, suffix + "Event");
                }
                names.Add("On" + suffix);
                names.Add("WaitFor" + suffix + "Async");
                listens.Add(new TypedClientListen(suffix, eventName, method.Parameters
                    .Select(p => new ClientEventParameter(p.Name, p.Type.ToDisplayString(TypeNameFormat))).ToEquatableArray()));
            }
        }
        return (new TypedClientModel(
            type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString(),
            type.Name,
            model.SocketNamespace,
            model.SocketNamespace.IndexOf('{') >= 0,
            model.FullyQualifiedName,
            sends.ToEquatableArray(),
            listens.ToEquatableArray()), EquatableArray<DiagnosticInfo>.Empty);
    }

    private static (TypedClientAck, string?) Ack(IMethodSymbol method, HandlerModel handler)
    {
        if (handler.Parameters.Any(p => p.Kind == ParameterKind.Ack) || handler.Return == ReturnKind.AsyncEnumerable)
        {
            return (TypedClientAck.Raw, null);
        }
        var answer = handler.Return switch
        {
            ReturnKind.Value => method.ReturnType,
            ReturnKind.TaskOfT or ReturnKind.ValueTaskOfT => ((INamedTypeSymbol)method.ReturnType).TypeArguments[0],
            _ => null,
        };
        if (answer is null || answer is INamedTypeSymbol { IsGenericType: true } response
            && GatewayParser.Is(response.OriginalDefinition, KnownNames.WsResponseOfT))
        {
            return (TypedClientAck.None, null);
        }
        return (TypedClientAck.Typed, answer.ToDisplayString(TypeNameFormat));
    }

    private static IEnumerable<IMethodSymbol> Methods(INamedTypeSymbol type)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            foreach (var method in t.GetMembers().OfType<IMethodSymbol>())
            {
                yield return method;
            }
        }
    }

    private static ITypeSymbol? ClientEvents(AttributeData attribute)
    {
        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key == "ClientEvents" && named.Value.Value is ITypeSymbol type)
            {
                return type;
            }
        }
        return null;
    }

    private static DiagnosticInfo Info(INamedTypeSymbol type, string problem) =>
        new(DiagnosticDescriptors.InvalidTypedClient.Id, LocationInfo.From(type.Locations.FirstOrDefault()),
            new[] { type.Name, problem }.ToEquatableArray());
}
