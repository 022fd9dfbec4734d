using System.Collections.Generic;
using System.Linq;
using Gateways.SourceGen.Model;

namespace Gateways.SourceGen.Emitting;

/// <summary>Writes one gateway's dispatcher: a descriptor, a handler table of straight-line invokers (one per event),
/// the lifecycle hooks, and the startup checks (JSON metadata, validators, the services handlers take).</summary>
internal static class DispatchEmitter
{
    private const string Binding = "global::Gateways.Dispatch.GatewayBinding";
    private const string Results = "global::Gateways.Dispatch.GatewayResults";
    private const string ValueTask = "global::System.Threading.Tasks.ValueTask";
    private const string JsonTypeInfo = "global::System.Text.Json.Serialization.Metadata.JsonTypeInfo";

    /// <summary>Result types whose metadata Gateways.Runtime always has (Internal/GatewaysJsonContext.cs), so their
    /// startup check would only repeat itself.</summary>
    private static readonly HashSet<string> RuntimeKnownTypes = new(System.StringComparer.Ordinal)
    {
        "string", "int", "long", "double", "decimal", "bool", "byte[]", "string[]", "global::System.Text.Json.JsonElement",
    };

    public static string Emit(GatewayModel gateway)
    {
        var writer = new SourceWriter();
        Header.Write(writer);
        writer.WriteLine($"namespace {gateway.DispatcherNamespace}");
        writer.OpenBlock();
        writer.WriteLine($"/// <summary>The dispatch table of <see cref=\"{gateway.FullyQualifiedName}\"/>, generated from its attributes.</summary>");
        Header.WriteTypeAttributes(writer);
        writer.WriteLine($"internal sealed class {gateway.DispatcherName} : global::Gateways.Dispatch.GatewayDispatcher");
        writer.OpenBlock();
        WriteDescriptor(writer, gateway);
        WriteFields(writer, gateway);
        WriteConstructor(writer, gateway);
        WriteAddHandlers(writer, gateway);
        WriteInitialize(writer, gateway);
        for (var i = 0; i < gateway.Handlers.Count; i++)
        {
            WriteHandler(writer, gateway, i);
        }
        writer.CloseBlock();
        writer.CloseBlock();
        return writer.ToString();
    }

    private static void WriteDescriptor(SourceWriter writer, GatewayModel gateway)
    {
        var declared = gateway.Handlers.Where(h => h.Role == HandlerRole.Event).ToList();
        var events = string.Join(", ", declared.Select(h => Literal(h.EventName)));
        writer.WriteLine("public static readonly global::Gateways.Dispatch.GatewayDescriptor Descriptor = new(");
        writer.Indent();
        writer.WriteLine($"typeof({gateway.FullyQualifiedName}),");
        writer.WriteLine($"{Literal(gateway.SocketNamespace)},");
        writer.WriteLine(declared.Count == 0 ? "global::System.Array.Empty<string>()," : $"new string[] {{ {events} }},");
        var policy = gateway.Policy;
        writer.WriteLine($"static binding => new {gateway.DispatcherName}(binding),");
        if (policy.Authorize.Count > 0)
        {
            writer.WriteLine($"connectAuthorize: {AuthorizeArray(policy.Authorize)},");
        }
        if (policy.AllowAnonymous)
        {
            writer.WriteLine("allowAnonymous: true,");
        }
        // A generic call names the class to the trimmer, so DI can build it under Native AOT.
        writer.WriteLine($"addServices: static services => global::Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton<{gateway.FullyQualifiedName}>(services));");
        writer.Unindent();
        writer.WriteLine();
        writer.WriteLine($"private readonly {gateway.FullyQualifiedName} _gateway;");
        if (UsesServer(gateway))
        {
            writer.WriteLine("private global::Gateways.IGatewayServer _server = null!;");
        }
    }

    private static void WriteFields(SourceWriter writer, GatewayModel gateway)
    {
        for (var i = 0; i < gateway.Handlers.Count; i++)
        {
            foreach (var parameter in gateway.Handlers[i].Parameters)
            {
                var field = Field(i, parameter);
                if (parameter.Kind is ParameterKind.Body or ParameterKind.BodyProperty or ParameterKind.BodyIndex)
                {
                    writer.WriteLine($"private readonly {JsonTypeInfo}<{parameter.TypeName}> {field};");
                }
                if (parameter.Validate)
                {
                    writer.WriteLine($"private readonly global::Gateways.IGatewayValidator {field}Validator;");
                }
            }
        }
        writer.WriteLine();
    }

    private static void WriteConstructor(SourceWriter writer, GatewayModel gateway)
    {
        writer.WriteLine($"private {gateway.DispatcherName}(global::Gateways.Dispatch.GatewayBindingContext binding)");
        writer.OpenBlock();
        writer.WriteLine($"_gateway = binding.GetGateway<{gateway.FullyQualifiedName}>();");
        var checkedResults = new HashSet<string>(System.StringComparer.Ordinal);
        for (var i = 0; i < gateway.Handlers.Count; i++)
        {
            var handler = gateway.Handlers[i];
            var where = $"{Short(gateway)}.{handler.MethodName} (event '{handler.EventName}')";
            foreach (var parameter in handler.Parameters)
            {
                var field = Field(i, parameter);
                var what = Literal($"Parameter '{parameter.Name}' of {where}");
                switch (parameter.Kind)
                {
                    case ParameterKind.Body or ParameterKind.BodyProperty or ParameterKind.BodyIndex:
                        if (parameter.GuardNotService)
                        {
                            writer.WriteLine($"binding.RejectService(typeof({parameter.TypeName}), {what});");
                        }
                        writer.WriteLine($"{field} = binding.TypeInfo<{parameter.TypeName}>({what});");
                        break;
                    case ParameterKind.Service:
                        writer.WriteLine($"binding.RequireService(typeof({parameter.TypeName}), {what});");
                        break;
                    case ParameterKind.KeyedService:
                        writer.WriteLine($"binding.RequireKeyedService(typeof({parameter.TypeName}), {parameter.ServiceKey}, {what});");
                        break;
                }
            }
            if (handler.SerializedResult is { } result && !RuntimeKnownTypes.Contains(result) && checkedResults.Add(result))
            {
                writer.WriteLine($"binding.RequireTypeInfo<{result}>({Literal($"The result of {where}")});");
            }
            foreach (var parameter in handler.Parameters.Where(p => p.Validate))
            {
                writer.WriteLine($"{Field(i, parameter)}Validator = binding.GetValidator(typeof({parameter.TypeName}));");
            }
        }
        writer.CloseBlock();
        writer.WriteLine();
    }

    private static void WriteAddHandlers(SourceWriter writer, GatewayModel gateway)
    {
        writer.WriteLine("public override void AddHandlers(global::Gateways.Dispatch.IGatewayHandlerRegistry registry)");
        writer.OpenBlock();
        for (var i = 0; i < gateway.Handlers.Count; i++)
        {
            var handler = gateway.Handlers[i];
            writer.WriteLine(handler.Role switch
            {
                HandlerRole.Unhandled => $"registry.SetUnhandledHandler({HandlerName(i, handler)}, {Metadata(gateway, handler)});",
                HandlerRole.Any => $"registry.AddAnyListener({HandlerName(i, handler)});",
                HandlerRole.Outgoing => $"registry.AddOutgoingListener({HandlerName(i, handler)});",
                _ => $"registry.AddEventHandler({Literal(handler.EventName)}, {HandlerName(i, handler)}, {Metadata(gateway, handler)});",
            });
        }
        var hooks = gateway.Hooks;
        if ((hooks & LifecycleHooks.Connection) != 0)
        {
            writer.WriteLine("registry.AddConnectionHandler(socket =>");
            writer.OpenBlock();
            writer.WriteLine("((global::Gateways.IOnGatewayConnection)_gateway).HandleConnection(socket);");
            writer.WriteLine("return default;");
            writer.CloseBlock(");");
        }
        if ((hooks & LifecycleHooks.ConnectionAsync) != 0)
        {
            writer.WriteLine("registry.AddConnectionHandler(socket => ((global::Gateways.IOnGatewayConnectionAsync)_gateway).HandleConnectionAsync(socket));");
        }
        if ((hooks & LifecycleHooks.Disconnecting) != 0)
        {
            writer.WriteLine("registry.AddDisconnectingHandler((socket, reason) => ((global::Gateways.IOnGatewayDisconnecting)_gateway).HandleDisconnecting(socket, reason));");
        }
        if ((hooks & LifecycleHooks.Disconnect) != 0)
        {
            writer.WriteLine("registry.AddDisconnectHandler((socket, reason) =>");
            writer.OpenBlock();
            writer.WriteLine("((global::Gateways.IOnGatewayDisconnect)_gateway).HandleDisconnect(socket);");
            writer.WriteLine("return default;");
            writer.CloseBlock(");");
        }
        if ((hooks & LifecycleHooks.DisconnectAsync) != 0)
        {
            writer.WriteLine("registry.AddDisconnectHandler((socket, reason) => ((global::Gateways.IOnGatewayDisconnectAsync)_gateway).HandleDisconnectAsync(socket, reason));");
        }
        if ((hooks & LifecycleHooks.SessionExpired) != 0)
        {
            writer.WriteLine("registry.AddSessionExpiredHandler(session => ((global::Gateways.IOnSessionExpired)_gateway).HandleSessionExpiredAsync(session));");
        }
        writer.CloseBlock();
    }

    private static void WriteInitialize(SourceWriter writer, GatewayModel gateway)
    {
        var uses = UsesServer(gateway);
        if (gateway.ServerProperties.Count == 0 && (gateway.Hooks & LifecycleHooks.Init) == 0 && !uses)
        {
            return;
        }
        writer.WriteLine();
        writer.WriteLine("public override void Initialize(global::Gateways.IGatewayServer server)");
        writer.OpenBlock();
        if (uses)
        {
            writer.WriteLine("_server = server;");
        }
        foreach (var property in gateway.ServerProperties)
        {
            writer.WriteLine($"_gateway.{property} = server;");
        }
        if ((gateway.Hooks & LifecycleHooks.Init) != 0)
        {
            writer.WriteLine("((global::Gateways.IOnGatewayInit)_gateway).AfterInit(server);");
        }
        writer.CloseBlock();
    }

    private static void WriteHandler(SourceWriter writer, GatewayModel gateway, int index)
    {
        var handler = gateway.Handlers[index];
        writer.WriteLine();
        writer.WriteLine($"/// <summary><c>{Escape(handler.EventName)}</c> → <see cref=\"{gateway.FullyQualifiedName}.{handler.MethodName}\"/>.</summary>");
        writer.WriteLine($"private {ValueTask} {HandlerName(index, handler)}(global::Gateways.GatewayEventContext context)");
        writer.OpenBlock();
        for (var p = 0; p < handler.Parameters.Count; p++)
        {
            var parameter = handler.Parameters[p];
            writer.WriteLine($"var a{p} = {Argument(index, parameter)};");
            if (parameter.Validate)
            {
                var validator = $"{Field(index, parameter)}Validator";
                writer.WriteLine($"{Binding}.Validate({validator}, a{p});");
            }
        }
        var call = $"_gateway.{handler.MethodName}({string.Join(", ", handler.Parameters.Select((_, p) => "a" + p))})";
        switch (handler.Return)
        {
            case ReturnKind.Void:
                writer.WriteLine(call + ";");
                writer.WriteLine("return default;");
                break;
            case ReturnKind.ValueTask:
                writer.WriteLine("return " + call + ";");
                break;
            case ReturnKind.Task:
                writer.WriteLine($"return {Results}.Await({call});");
                break;
            case ReturnKind.Value:
                writer.WriteLine($"return {Results}.Complete(context, {call});");
                break;
            case ReturnKind.TaskOfT:
            case ReturnKind.ValueTaskOfT:
                writer.WriteLine($"return {Results}.Await(context, {call});");
                break;
            case ReturnKind.AsyncEnumerable:
                writer.WriteLine($"return {Results}.Stream(context, {call});");
                break;
        }
        writer.CloseBlock();
    }

    private static string Argument(int handler, ParameterModel parameter)
    {
        var field = Field(handler, parameter);
        var required = parameter.IsNullable ? "false" : "true";
        return parameter.Kind switch
        {
            ParameterKind.Body when parameter.IsRequired => $"{Binding}.RequiredBody(context, {field})",
            ParameterKind.BodyProperty when parameter.IsRequired => $"{Binding}.RequiredBodyProperty(context, {Literal(parameter.Property!)}, {field})",
            ParameterKind.BodyIndex when parameter.IsRequired => $"{Binding}.RequiredBodyAt(context, {parameter.Index}, {field})",
            ParameterKind.Body => $"{Binding}.Body(context, {field})!",
            ParameterKind.BodyProperty => $"{Binding}.BodyProperty(context, {Literal(parameter.Property!)}, {field})!",
            ParameterKind.BodyIndex => $"{Binding}.BodyAt(context, {parameter.Index}, {field})!",
            ParameterKind.Socket => "context.Socket",
            ParameterKind.Principal => $"{Binding}.Principal(context, required: {required})" + (parameter.IsNullable ? "" : "!"),
            ParameterKind.UserType => $"{Binding}.User<{parameter.TypeName}>(context, required: {required})" + (parameter.IsNullable ? "" : "!"),
            ParameterKind.Ack => "new global::Gateways.AckCallback(context.Ack)",
            ParameterKind.EventName => "context.EventName",
            ParameterKind.CancellationToken => "context.Disconnected",
            ParameterKind.Context => "context",
            ParameterKind.Server => "_server",
            ParameterKind.ServiceProvider => "context.Services",
            ParameterKind.Service => $"{Binding}.Service<{parameter.TypeName}>(context)",
            ParameterKind.KeyedService => $"{Binding}.KeyedService<{parameter.TypeName}>(context, {parameter.ServiceKey})",
            ParameterKind.NamespaceValue when parameter.TypeName == "string" => $"{Binding}.NamespaceValue(context, {Literal(parameter.Property!)})",
            ParameterKind.NamespaceValue => $"{Binding}.NamespaceValue<{parameter.TypeName}>(context, {Literal(parameter.Property!)})",
            _ => "default!",
        };
    }

    /// <summary>The handler's metadata: its own [Authorize]; the gateway's guards then its own; its own exception
    /// filters then the gateway's. Only what differs from the defaults is written, by name.</summary>
    private static string Metadata(GatewayModel gateway, HandlerModel handler)
    {
        var guards = gateway.Policy.Guards.Concat(handler.Policy.Guards).ToList();
        var filters = handler.Policy.Filters.Concat(gateway.Policy.Filters).ToList();
        var arguments = new List<string> { $"typeof({gateway.FullyQualifiedName})", Literal(handler.MethodName) };
        if (handler.Policy.Authorize.Count > 0)
        {
                arguments.Add($"authorize: {AuthorizeArray(handler.Policy.Authorize)}");
        }
        if (handler.Policy.AllowAnonymous)
        {
            arguments.Add("allowAnonymous: true");
        }
        if (guards.Count > 0)
        {
            arguments.Add($"guards: {TypeArray(guards)}");
        }
        if (filters.Count > 0)
        {
            arguments.Add($"exceptionFilters: {TypeArray(filters)}");
        }
        if (gateway.Policy.AcknowledgeErrors)
        {
            arguments.Add("acknowledgeErrors: true");
        }
        return $"new global::Gateways.Dispatch.GatewayHandlerMetadata({string.Join(", ", arguments)})";
    }

    private static string AuthorizeArray(EquatableArray<AuthorizeModel> authorize) => authorize.Count == 0
        ? "global::System.Array.Empty<global::Gateways.Dispatch.GatewayAuthorizeData>()"
        : "new global::Gateways.Dispatch.GatewayAuthorizeData[] { " + string.Join(", ", authorize.Select(a =>
            $"new({(a.Policy is null ? "null" : Literal(a.Policy))}, {(a.Roles is null ? "null" : Literal(a.Roles))})")) + " }";

    private static string TypeArray(IReadOnlyCollection<string> types) =>
        "new global::System.Type[] { " + string.Join(", ", types.Select(t => $"typeof({t})")) + " }";

    private static bool UsesServer(GatewayModel gateway) =>
        gateway.Handlers.Any(h => h.Parameters.Any(p => p.Kind == ParameterKind.Server));

    private static string HandlerName(int index, HandlerModel handler) => $"Handle{index}_{handler.MethodName}";

    private static string Field(int handler, ParameterModel parameter) => $"_h{handler}_{parameter.Name}";

    private static string Short(GatewayModel gateway) => gateway.ClassChain;

    internal static string Literal(string value) => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(value, quote: true);

    private static string Escape(string value) => value.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
