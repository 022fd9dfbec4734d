using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Gateways.SourceGen.Diagnostics;
using Gateways.SourceGen.Model;
using Microsoft.CodeAnalysis;

namespace Gateways.SourceGen.Parsing;

/// <summary>Turns one [WebSocketGateway] class into a <see cref="GatewayModel"/> and its diagnostics. Symbols stay in
/// here; only strings and flags leave.</summary>
internal static class GatewayParser
{
    private static readonly SymbolDisplayFormat TypeNameFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

    public static GatewayParseResult Parse(GeneratorAttributeSyntaxContext context, Action<INamedTypeSymbol>? beforeParse,
        CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        try
        {
            beforeParse?.Invoke(type);
            return new Parser(type, context.Attributes[0], cancellationToken).Run();
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            var failure = new DiagnosticInfo(DiagnosticDescriptors.GeneratorFailure.Id, LocationInfo.From(type.Locations.FirstOrDefault()),
                new[] { type.Name, ex.GetType().Name + ": " + ex.Message }.ToEquatableArray());
            return new GatewayParseResult(null, new[] { failure }.ToEquatableArray(), EquatableArray<EventDeclaration>.Empty);
        }
    }

    /// <summary>Parses a gateway known by its symbol only (one in a referenced assembly, for a typed client).</summary>
    public static GatewayParseResult ParseSymbol(INamedTypeSymbol type, AttributeData attribute, CancellationToken cancellationToken) =>
        new Parser(type, attribute, cancellationToken).Run();

    private sealed class Parser
    {
        private readonly INamedTypeSymbol _type;
        private readonly AttributeData _attribute;
        private readonly CancellationToken _cancellationToken;
        private readonly List<DiagnosticInfo> _diagnostics = new();
        private bool _hasErrors;

        public Parser(INamedTypeSymbol type, AttributeData attribute, CancellationToken cancellationToken)
        {
            _type = type;
            _attribute = attribute;
            _cancellationToken = cancellationToken;
        }

        private string _socketNamespace = "/";
        // The values of the gateway's namespace template; empty for a namespace declared by its name.
        private HashSet<string> _namespaceValues = new(StringComparer.Ordinal);

        public GatewayParseResult Run()
        {
            var socketNamespace = ReadNamespace();
            CheckClass();
            _socketNamespace = socketNamespace;
            if (!socketNamespace.StartsWith("/", StringComparison.Ordinal))
            {
                Report(DiagnosticDescriptors.InvalidNamespace, _type, socketNamespace, _type.Name);
            }
            else if (Gateways.Namespaces.NamespaceTemplateSyntax.IsTemplate(socketNamespace))
            {
                if (Gateways.Namespaces.NamespaceTemplateSyntax.TryRead(socketNamespace, out var parts, out var problem))
                {
                    // Odd parts are the value names.
                    _namespaceValues = new HashSet<string>(parts.Where((_, i) => i % 2 == 1), StringComparer.Ordinal);
                }
                else
                {
                    Report(DiagnosticDescriptors.InvalidNamespaceTemplate, _type, socketNamespace, _type.Name, problem!);
                }
            }

            var contract = new ContractParser();
            var handlers = new List<HandlerModel>();
            var events = new List<EventDeclaration>();
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            var declared = 0;
            foreach (var method in HandlerCandidates())
            {
                _cancellationToken.ThrowIfCancellationRequested();
                var subscribe = FindAttribute(method, KnownNames.SubscribeMessageAttribute);
                var role = HandlerRole.Event;
                if (subscribe is null)
                {
                    (subscribe, role) = FindAttribute(method, KnownNames.UnhandledMessageAttribute) is { } unhandled
                        ? (unhandled, HandlerRole.Unhandled)
                        : FindAttribute(method, KnownNames.OnAnyOutgoingAttribute) is { } outgoing
                        ? (outgoing, HandlerRole.Outgoing)
                        : (FindAttribute(method, KnownNames.OnAnyMessageAttribute), HandlerRole.Any);
                }
                if (subscribe is null)
                {
                    continue;
                }
                declared++;
                var handler = ParseHandler(method, subscribe, role);
                if (handler is null)
                {
                    continue;
                }
                if (role is HandlerRole.Any or HandlerRole.Outgoing)
                {
                    handlers.Add(handler); // listeners: as many as the namespace wants
                    continue;
                }
                if (seen.TryGetValue(handler.EventName, out var first))
                {
                    Report(DiagnosticDescriptors.DuplicateEvent, method, handler.EventName, socketNamespace, _type.Name + "." + first);
                    continue;
                }
                seen[handler.EventName] = handler.MethodName;
                handlers.Add(handler);
                if (role == HandlerRole.Event)
                {
                    contract.AddHandler(method, handler);
                }
                var location = LocationInfo.From(AttributeLocation(subscribe) ?? method.Locations.FirstOrDefault());
                if (location is not null)
                {
                    events.Add(new EventDeclaration(socketNamespace, handler.EventName, _type.Name + "." + method.Name, location));
                }
            }
            handlers.Sort((a, b) => string.CompareOrdinal(a.EventName, b.EventName));

            if (ReadClientEvents() is { } clientEvents)
            {
                if (clientEvents is INamedTypeSymbol { TypeKind: TypeKind.Interface } eventsInterface
                    && HasAttribute(eventsInterface, KnownNames.GatewayClientEventsAttribute))
                {
                    contract.AddClientEvents(eventsInterface);
                }
                else
                {
                    Report(DiagnosticDescriptors.InvalidClientEvents, _type, _type.Name, clientEvents.ToDisplayString());
                }
            }

            var serverProperties = ParseServerProperties();
            var hooks = ReadHooks();
            var policy = ReadPolicy(_type, ReadAcknowledgeErrors());
            // A gateway with no handlers still serves its namespace when it holds the server (for broadcasts) or
            // guards the connection ([Authorize]): only one with none of these does nothing.
            if (declared == 0 && hooks == LifecycleHooks.None && serverProperties.Count == 0 && policy.Authorize.Count == 0
                && !_hasErrors)
            {
                Report(DiagnosticDescriptors.EmptyGateway, _type, _type.Name);
            }

            var model = _hasErrors ? null : new GatewayModel(
                ClassChain(_type),
                _type.ToDisplayString(TypeNameFormat),
                _type.ContainingNamespace.IsGlobalNamespace ? "" : _type.ContainingNamespace.ToDisplayString(),
                socketNamespace,
                handlers.ToEquatableArray(),
                serverProperties.ToEquatableArray(),
                hooks,
                policy);
            return new GatewayParseResult(model, _diagnostics.ToEquatableArray(), events.ToEquatableArray(),
                model is null ? null : contract.Build(socketNamespace, model.FullyQualifiedName));
        }

        private ITypeSymbol? ReadClientEvents()
        {
            foreach (var named in _attribute.NamedArguments)
            {
                if (named.Key == "ClientEvents" && named.Value.Value is ITypeSymbol type)
                {
                    return type;
                }
            }
            return null;
        }

        private string ReadNamespace()
        {
            foreach (var named in _attribute.NamedArguments)
            {
                if (named.Key == "Namespace" && named.Value.Value is string value)
                {
                    return value;
                }
            }
            return _attribute.ConstructorArguments.Length == 1 && _attribute.ConstructorArguments[0].Value is string ns ? ns : "/";
        }

        private bool ReadAcknowledgeErrors()
        {
            foreach (var named in _attribute.NamedArguments)
            {
                if (named.Key == "AcknowledgeErrors" && named.Value.Value is bool value)
                {
                    return value;
                }
            }
            return false;
        }

        private static PolicyModel ReadPolicy(ISymbol symbol, bool acknowledgeErrors)
        {
            var authorize = new List<AuthorizeModel>();
            var guards = new List<string>();
            var filters = new List<string>();
            var allowAnonymous = false;
            foreach (var attribute in symbol.GetAttributes())
            {
                if (attribute.AttributeClass is not { } type)
                {
                    continue;
                }
                if (Is(type, KnownNames.AuthorizeAttribute))
                {
                    var policy = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
                    string? roles = null;
                    foreach (var named in attribute.NamedArguments)
                    {
                        if (named.Key == "Policy")
                        {
                            policy = named.Value.Value as string;
                        }
                        else if (named.Key == "Roles")
                        {
                            roles = named.Value.Value as string;
                        }
                    }
                    authorize.Add(new AuthorizeModel(policy, roles));
                }
                else if (Is(type, KnownNames.AllowAnonymousAttribute))
                {
                    allowAnonymous = true;
                }
                else if (Is(type, KnownNames.UseGuardsAttribute) || Is(type, KnownNames.UseFiltersAttribute))
                {
                    var target = Is(type, KnownNames.UseGuardsAttribute) ? guards : filters;
                    foreach (var argument in attribute.ConstructorArguments)
                    {
                        var values = argument.Kind == TypedConstantKind.Array ? argument.Values : ImmutableArray.Create(argument);
                        foreach (var value in values)
                        {
                            if (value.Value is ITypeSymbol listed)
                            {
                                target.Add(listed.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
                            }
                        }
                    }
                }
            }
            return new PolicyModel(authorize.ToEquatableArray(), allowAnonymous, guards.ToEquatableArray(),
                filters.ToEquatableArray(), acknowledgeErrors);
        }

        /// <summary>Whether a body type carries DataAnnotations validation: a validation attribute on the type, a
        /// property or a constructor parameter (records), or IValidatableObject.</summary>
        private static bool IsValidatable(ITypeSymbol type)
        {
            if (type.SpecialType != SpecialType.None || type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
            {
                return false;
            }
            foreach (var implemented in type.AllInterfaces)
            {
                if (Is(implemented, KnownNames.ValidatableObject))
                {
                    return true;
                }
            }
            if (HasValidationAttribute(type))
            {
                return true;
            }
            for (var t = type; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
            {
                foreach (var member in t.GetMembers())
                {
                    if (member is IPropertySymbol or IFieldSymbol && HasValidationAttribute(member))
                    {
                        return true;
                    }
                    if (member is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor
                        && constructor.Parameters.Any(HasValidationAttribute))
                    {
                        return true;
                    }
                }
            }
            return false;
        }

        private static bool HasValidationAttribute(ISymbol symbol)
        {
            foreach (var attribute in symbol.GetAttributes())
            {
                for (var type = attribute.AttributeClass; type is not null; type = type.BaseType)
                {
                    if (Is(type, KnownNames.ValidationAttribute))
                    {
                        return true;
                    }
                }
            }
            return false;
        }

        private void CheckClass()
        {
            var generic = false;
            for (var t = _type; t is not null; t = t.ContainingType)
            {
                generic |= t.TypeParameters.Length > 0;
            }
            if (_type.IsAbstract || _type.IsStatic || generic)
            {
                Report(DiagnosticDescriptors.InvalidGatewayClass, _type, _type.Name);
            }
            for (var t = _type; t is not null; t = t.ContainingType)
            {
                if (t.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
                {
                    Report(DiagnosticDescriptors.GatewayNotAccessible, _type, _type.Name);
                    break;
                }
            }
        }

        /// <summary>The gateway's methods and those it inherits, most derived first (an override hides its base).</summary>
        private IEnumerable<IMethodSymbol> HandlerCandidates()
        {
            var overridden = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            for (var t = _type; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
            {
                foreach (var member in t.GetMembers())
                {
                    if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method || overridden.Contains(method))
                    {
                        continue;
                    }
                    if (method.OverriddenMethod is { } baseMethod)
                    {
                        overridden.Add(baseMethod.OriginalDefinition);
                    }
                    yield return method;
                }
            }
        }

        private HandlerModel? ParseHandler(IMethodSymbol method, AttributeData subscribe, HandlerRole role)
        {
            var display = _type.Name + "." + method.Name;
            var eventName = role switch
            {
                HandlerRole.Unhandled => KnownNames.UnhandledEventName,
                HandlerRole.Any => KnownNames.AnyEventName,
                HandlerRole.Outgoing => KnownNames.OutgoingEventName,
                _ => subscribe.ConstructorArguments.Length == 1 ? subscribe.ConstructorArguments[0].Value as string : null,
            };
            var ok = true;
            if (role == HandlerRole.Any && !method.ReturnsVoid)
            {
                Report(DiagnosticDescriptors.AnyListenerReturns, method, display);
                ok = false;
            }
            if (role == HandlerRole.Outgoing && !method.ReturnsVoid)
            {
                Report(DiagnosticDescriptors.OutgoingListenerReturns, method, display);
                ok = false;
            }
            if (string.IsNullOrEmpty(eventName))
            {
                Report(DiagnosticDescriptors.EmptyEventName, method, display);
                return null;
            }
            if (Array.IndexOf(KnownNames.ReservedEvents, eventName) >= 0)
            {
                ReportAt(DiagnosticDescriptors.ReservedEventName, AttributeLocation(subscribe), method, eventName!);
                ok = false;
            }
            if (method.IsStatic || method.IsGenericMethod)
            {
                Report(DiagnosticDescriptors.InvalidHandlerMethod, method, display);
                ok = false;
            }
            if (method.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
            {
                Report(DiagnosticDescriptors.HandlerNotAccessible, method, display);
                ok = false;
            }
            if (method.IsAsync && method.ReturnsVoid)
            {
                Report(DiagnosticDescriptors.AsyncVoidHandler, method, display);
                ok = false;
            }

            var returnKind = ReadReturn(method.ReturnType, method.ReturnsVoid);
            var parameters = new List<ParameterModel>();
            string? wholeBody = null;
            string? explicitBody = null;
            string? implicitBody = null;
            var hasAck = false;
            foreach (var parameter in method.Parameters)
            {
                var model = ParseParameter(parameter, display);
                if (model is null)
                {
                    ok = false;
                    continue;
                }
                if (model.Kind == ParameterKind.Body && !model.IsImplicit)
                {
                    if (wholeBody is not null)
                    {
                        Report(DiagnosticDescriptors.SeveralBodies, parameter, display, wholeBody, parameter.Name);
                        ok = false;
                    }
                    wholeBody = parameter.Name;
                }
                if (model.Kind is ParameterKind.Body or ParameterKind.BodyProperty or ParameterKind.BodyIndex && !model.IsImplicit)
                {
                    explicitBody ??= parameter.Name;
                }
                hasAck |= model.Kind == ParameterKind.Ack;
                parameters.Add(model);
            }
            // The positional form binds one undecorated parameter as the payload; any other is ambiguous, decided here
            // and never at runtime: a service has to say so with [FromServices].
            foreach (var parameter in method.Parameters)
            {
                if (parameters.Find(p => p.Name == parameter.Name) is not { IsImplicit: true })
                {
                    continue;
                }
                var reason = explicitBody is not null ? $"[MessageBody] '{explicitBody}' already binds the payload"
                    : implicitBody is not null ? $"'{implicitBody}' is already the payload (the first parameter without an attribute)"
                    : WhyNotABody(parameter.Type);
                if (reason is not null)
                {
                    Report(DiagnosticDescriptors.AmbiguousParameter, parameter, parameter.Name, display, reason);
                    ok = false;
                }
                implicitBody ??= parameter.Name;
            }
            if (hasAck && returnKind is ReturnKind.Value or ReturnKind.TaskOfT or ReturnKind.ValueTaskOfT or ReturnKind.AsyncEnumerable)
            {
                Report(DiagnosticDescriptors.AckWithResult, method, display);
                ok = false;
            }
            return ok ? new HandlerModel(eventName!, method.Name, parameters.ToEquatableArray(), returnKind, ReadPolicy(method, false),
                SerializedTypes.Result(method.ReturnType)?.ToDisplayString(TypeNameFormat.WithMiscellaneousOptions(
                    TypeNameFormat.MiscellaneousOptions & ~SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier)), role) : null;
        }

        private ParameterModel? ParseParameter(IParameterSymbol parameter, string handler)
        {
            var type = parameter.Type;
            if (parameter.RefKind != RefKind.None || type.TypeKind == TypeKind.Pointer || type.IsRefLikeType
                || type.TypeKind == TypeKind.TypeParameter || parameter.IsParams)
            {
                return Unsupported(parameter, handler, "ref, out, in, params, pointer, ref struct and generic parameters are not supported");
            }
            var typeName = type.ToDisplayString(TypeNameFormat.WithMiscellaneousOptions(
                TypeNameFormat.MiscellaneousOptions & ~SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier));
            var nullable = type.NullableAnnotation == NullableAnnotation.Annotated;
            // A reference type declared non-nullable (in a nullable-enabled context) must arrive: a missing or null
            // body is invalid input, not a null for the handler to trip on. Oblivious code keeps the lenient binding.
            var required = !type.IsValueType && type.NullableAnnotation == NullableAnnotation.NotAnnotated;
            ParameterModel Make(ParameterKind kind, string? property = null, int index = -1) =>
                new(parameter.Name, kind, typeName, property, index, nullable, type.IsValueType,
                    IsRequired: required && kind is ParameterKind.Body or ParameterKind.BodyProperty or ParameterKind.BodyIndex);

            if (FindAttribute(parameter, KnownNames.MessageBodyAttribute) is { } body)
            {
                var property = body.ConstructorArguments.Length == 1 ? body.ConstructorArguments[0].Value as string : null;
                var index = -1;
                foreach (var named in body.NamedArguments)
                {
                    if (named.Key == "Index" && named.Value.Value is int value)
                    {
                        index = value;
                    }
                }
                if (property is not null && index >= 0)
                {
                    return Unsupported(parameter, handler, "[MessageBody] takes a property name or an Index, not both");
                }
                var model = property is not null ? Make(ParameterKind.BodyProperty, property)
                    : index >= 0 ? Make(ParameterKind.BodyIndex, index: index)
                    : Make(ParameterKind.Body);
                return model with { Validate = IsValidatable(type) };
            }
            if (IsFromServices(parameter))
            {
                return ParseService(parameter, handler, kind => Make(kind));
            }
            if (FindAttribute(parameter, KnownNames.FromNamespaceAttribute) is { } fromNamespace)
            {
                var valueName = fromNamespace.ConstructorArguments.Length == 1 && fromNamespace.ConstructorArguments[0].Value is string named
                    ? named : parameter.Name;
                if (type.SpecialType != SpecialType.System_String && !IsParsable(type))
                {
                    return Unsupported(parameter, handler, "[FromNamespace] needs string or a type that implements IParsable<T> (int, Guid…)");
                }
                if (!_namespaceValues.Contains(valueName))
                {
                    Report(DiagnosticDescriptors.UnknownNamespaceValue, parameter, parameter.Name, handler, valueName, _socketNamespace);
                    return null;
                }
                return Make(ParameterKind.NamespaceValue, property: valueName);
            }
            if (HasAttribute(parameter, KnownNames.ConnectedSocketAttribute))
            {
                return Is(type, KnownNames.GatewaySocket) ? Make(ParameterKind.Socket)
                    : Unsupported(parameter, handler, "[ConnectedSocket] needs the type IGatewaySocket");
            }
            if (HasAttribute(parameter, KnownNames.WsUserAttribute))
            {
                if (Is(type, KnownNames.ClaimsPrincipal))
                {
                    return Make(ParameterKind.Principal);
                }
                return ImplementsWsUser(type) ? Make(ParameterKind.UserType)
                    : Unsupported(parameter, handler, "[WsUser] needs ClaimsPrincipal or a type that implements IWsUser<T>");
            }
            if (HasAttribute(parameter, KnownNames.AckAttribute))
            {
                return Is(type, KnownNames.AckCallback) ? Make(ParameterKind.Ack)
                    : Unsupported(parameter, handler, "[Ack] needs the type AckCallback");
            }
            if (HasAttribute(parameter, KnownNames.MessageNameAttribute))
            {
                return type.SpecialType == SpecialType.System_String ? Make(ParameterKind.EventName)
                    : Unsupported(parameter, handler, "[MessageName] needs the type string");
            }
            if (Is(type, KnownNames.GatewaySocket))
            {
                return Make(ParameterKind.Socket);
            }
            if (Is(type, KnownNames.CancellationToken))
            {
                return Make(ParameterKind.CancellationToken);
            }
            if (Is(type, KnownNames.GatewayEventContext))
            {
                return Make(ParameterKind.Context);
            }
            if (Is(type, KnownNames.GatewayServer))
            {
                return Make(ParameterKind.Server);
            }
            if (Is(type, KnownNames.ServiceProvider))
            {
                return Make(ParameterKind.ServiceProvider);
            }
            if (Is(type, KnownNames.AckCallback))
            {
                return Make(ParameterKind.Ack);
            }
            // Anything else is the payload, as NestJS binds handleMessage(client, payload); ParseHandler rejects a second one.
            return Make(ParameterKind.Body) with
            {
                Validate = IsValidatable(type),
                IsImplicit = true,
                GuardNotService = CouldBeService(type),
            };
        }

        /// <summary>Whether the type parses from text as IParsable&lt;itself&gt;.</summary>
        private static bool IsParsable(ITypeSymbol type) =>
            type.AllInterfaces.Any(i => i.OriginalDefinition.ToDisplayString() == "System.IParsable<TSelf>"
                && SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], type));

        /// <summary>Why an undecorated parameter of this type cannot be the payload, or null when it can.</summary>
        private string? WhyNotABody(ITypeSymbol type)
        {
            var name = type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
            foreach (var constructor in _type.InstanceConstructors)
            {
                if (constructor.Parameters.Any(p => SymbolEqualityComparer.Default.Equals(p.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated),
                        type.WithNullableAnnotation(NullableAnnotation.NotAnnotated))))
                {
                    return $"its type '{name}' is injected into the gateway's constructor, so it is a service";
                }
            }
            if (type.TypeKind == TypeKind.Interface && !type.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_Collections_IEnumerable))
            {
                return $"its type '{name}' is an interface, which JSON cannot create";
            }
            if (type.TypeKind == TypeKind.Delegate)
            {
                return $"its type '{name}' is a delegate, which JSON cannot create";
            }
            if (type.TypeKind == TypeKind.Class && type.IsAbstract && !HasAttribute(type, KnownNames.JsonDerivedTypeAttribute))
            {
                return $"its type '{name}' is abstract, which JSON cannot create";
            }
            return null;
        }

        /// <summary>A class outside System.* bound as the payload might be a service the author forgot to mark: the
        /// generated code fails at startup if DI knows the type.</summary>
        private static bool CouldBeService(ITypeSymbol type) =>
            type.TypeKind == TypeKind.Class && type.SpecialType == SpecialType.None
            && type.ContainingNamespace?.ToDisplayString() is { } ns && ns != "System" && !ns.StartsWith("System.", StringComparison.Ordinal);

        private ParameterModel? ParseService(IParameterSymbol parameter, string handler, Func<ParameterKind, ParameterModel> make)
        {
            if (FindAttribute(parameter, KnownNames.FromKeyedServicesAttribute) is not { } keyed)
            {
                return make(ParameterKind.Service);
            }
            if (keyed.ConstructorArguments.Length != 1)
            {
                return Unsupported(parameter, handler, "[FromKeyedServices] needs its key");
            }
            return KeyLiteral(keyed.ConstructorArguments[0]) is { } key
                ? make(ParameterKind.KeyedService) with { ServiceKey = key }
                : Unsupported(parameter, handler, "the key of [FromKeyedServices] must be a string, number, enum or null");
        }

        /// <summary>A constant key as C# source.</summary>
        private static string? KeyLiteral(TypedConstant key) => key switch
        {
            { IsNull: true } => "null",
            { Kind: TypedConstantKind.Enum, Type: { } enumType } => $"({enumType.ToDisplayString(TypeNameFormat)})({key.Value})",
            { Value: string text } => Literal(text),
            { Kind: TypedConstantKind.Primitive, Value: not null } => Microsoft.CodeAnalysis.CSharp.TypedConstantExtensions.ToCSharpString(key),
            _ => null,
        };

        private static string Literal(string value) => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(value, quote: true);

        private static bool IsFromServices(IParameterSymbol parameter)
        {
            foreach (var attribute in parameter.GetAttributes())
            {
                if (attribute.AttributeClass is not { } type)
                {
                    continue;
                }
                if (Is(type, KnownNames.FromServicesAttribute) || Is(type, KnownNames.FromKeyedServicesAttribute)
                    || type.AllInterfaces.Any(i => Is(i, KnownNames.FromServiceMetadata)))
                {
                    return true;
                }
            }
            return false;
        }

        private ParameterModel? Unsupported(IParameterSymbol parameter, string handler, string reason)
        {
            Report(DiagnosticDescriptors.UnsupportedParameter, parameter, parameter.Name, handler, reason);
            return null;
        }

        private static ReturnKind ReadReturn(ITypeSymbol type, bool returnsVoid)
        {
            if (returnsVoid)
            {
                return ReturnKind.Void;
            }
            var definition = type.OriginalDefinition;
            return true switch
            {
                _ when Is(definition, KnownNames.Task) => ReturnKind.Task,
                _ when Is(definition, KnownNames.ValueTask) => ReturnKind.ValueTask,
                _ when Is(definition, KnownNames.TaskOfT) => ReturnKind.TaskOfT,
                _ when Is(definition, KnownNames.ValueTaskOfT) => ReturnKind.ValueTaskOfT,
                _ when Is(definition, KnownNames.AsyncEnumerable) => ReturnKind.AsyncEnumerable,
                _ => ReturnKind.Value,
            };
        }

        private List<string> ParseServerProperties()
        {
            var names = new List<string>();
            for (var t = _type; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
            {
                foreach (var member in t.GetMembers())
                {
                    if (member is not IPropertySymbol property || !HasAttribute(property, KnownNames.WebSocketServerAttribute))
                    {
                        continue;
                    }
                    var setter = property.SetMethod;
                    if (!Is(property.Type, KnownNames.GatewayServer) || setter is null || setter.IsInitOnly || property.IsStatic
                        || setter.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
                    {
                        Report(DiagnosticDescriptors.InvalidServerProperty, property, property.Name);
                        continue;
                    }
                    if (!names.Contains(property.Name))
                    {
                        names.Add(property.Name);
                    }
                }
            }
            names.Sort(StringComparer.Ordinal);
            return names;
        }

        private LifecycleHooks ReadHooks()
        {
            var hooks = LifecycleHooks.None;
            foreach (var implemented in _type.AllInterfaces)
            {
                hooks |= true switch
                {
                    _ when Is(implemented, KnownNames.OnGatewayInit) => LifecycleHooks.Init,
                    _ when Is(implemented, KnownNames.OnGatewayConnection) => LifecycleHooks.Connection,
                    _ when Is(implemented, KnownNames.OnGatewayConnectionAsync) => LifecycleHooks.ConnectionAsync,
                    _ when Is(implemented, KnownNames.OnGatewayDisconnecting) => LifecycleHooks.Disconnecting,
                    _ when Is(implemented, KnownNames.OnGatewayDisconnect) => LifecycleHooks.Disconnect,
                    _ when Is(implemented, KnownNames.OnGatewayDisconnectAsync) => LifecycleHooks.DisconnectAsync,
                    _ when Is(implemented, KnownNames.OnSessionExpired) => LifecycleHooks.SessionExpired,
                    _ => LifecycleHooks.None,
                };
            }
            return hooks;
        }

        private static bool ImplementsWsUser(ITypeSymbol type)
        {
            foreach (var implemented in type.AllInterfaces)
            {
                if (Is(implemented.OriginalDefinition, KnownNames.WsUser)
                    && SymbolEqualityComparer.Default.Equals(implemented.TypeArguments[0], type.WithNullableAnnotation(NullableAnnotation.NotAnnotated)))
                {
                    return true;
                }
            }
            return false;
        }

        private static string ClassChain(INamedTypeSymbol type) =>
            type.ContainingType is { } outer ? ClassChain(outer) + "." + type.Name : type.Name;

        private void Report(DiagnosticDescriptor descriptor, ISymbol symbol, params string[] arguments) =>
            ReportAt(descriptor, null, symbol, arguments);

        private void ReportAt(DiagnosticDescriptor descriptor, Location? location, ISymbol symbol, params string[] arguments)
        {
            _hasErrors |= descriptor.DefaultSeverity == DiagnosticSeverity.Error;
            _diagnostics.Add(new DiagnosticInfo(descriptor.Id, LocationInfo.From(location ?? symbol.Locations.FirstOrDefault()),
                arguments.ToEquatableArray()));
        }

        private static Location? AttributeLocation(AttributeData attribute) =>
            attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation();
    }

    internal static AttributeData? FindAttribute(ISymbol symbol, string metadataName)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass is { } type && Is(type, metadataName))
            {
                return attribute;
            }
        }
        return null;
    }

    private static bool HasAttribute(ISymbol symbol, string metadataName) => FindAttribute(symbol, metadataName) is not null;

    /// <summary>Compares a type with a metadata name ("Namespace.Name`Arity") without building strings.</summary>
    internal static bool Is(ITypeSymbol type, string metadataName)
    {
        var dot = metadataName.LastIndexOf('.');
        if (!string.Equals(type.MetadataName, metadataName.Substring(dot + 1), StringComparison.Ordinal))
        {
            return false;
        }
        var ns = type.ContainingNamespace;
        var end = dot;
        while (ns is { IsGlobalNamespace: false })
        {
            if (end <= 0)
            {
                return false;
            }
            var start = metadataName.LastIndexOf('.', end - 1) + 1;
            if (string.CompareOrdinal(metadataName, start, ns.Name, 0, end - start) != 0 || ns.Name.Length != end - start)
            {
                return false;
            }
            end = start - 1;
            ns = ns.ContainingNamespace;
        }
        return end == -1;
    }
}
