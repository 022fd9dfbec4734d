using System.Linq;
using Gateways.SourceGen.Model;
using Microsoft.CodeAnalysis.CSharp;

namespace Gateways.SourceGen.Emitting;

/// <summary>Fills a [GatewayClient] partial class: a constructor over a <c>GatewayTestClient</c>, <c>ConnectAsync</c>
/// to the gateway's namespace, an <c>{Event}Async</c> per handled event and <c>On{Event}</c> /
/// <c>WaitFor{Event}Async</c> per client event.</summary>
internal static class TypedClientEmitter
{
    private const string Client = "global::Gateways.Testing.GatewayTestClient";

    public static string HintName(TypedClientModel model) =>
        (model.ContainingNamespace.Length == 0 ? "" : model.ContainingNamespace + ".") + model.ClassName + ".Client.g.cs";

    public static string Emit(TypedClientModel model)
    {
        var writer = new SourceWriter();
        Header.Write(writer);
        if (model.ContainingNamespace.Length > 0)
        {
            writer.WriteLine($"namespace {model.ContainingNamespace}");
            writer.OpenBlock();
        }
        writer.WriteLine($"/// <summary>A typed client of <see cref=\"{model.Gateway.Replace("global::", "")}\"/> on namespace <c>{Escape(model.SocketNamespace)}</c>.</summary>");
        Header.WriteTypeAttributes(writer);
        writer.WriteLine($"partial class {model.ClassName}");
        writer.OpenBlock();
        writer.WriteLine($"/// <summary>The gateway's namespace{(model.NamespaceIsTemplate ? " (a template: connect to one of its names)" : "")}.</summary>");
        writer.WriteLine($"public const string Namespace = {Literal(model.SocketNamespace)};");
        writer.WriteLine();
        writer.WriteLine("/// <summary>A client on a connection to the gateway's namespace.</summary>");
        writer.WriteLine($"public {model.ClassName}({Client} connection) =>");
        writer.Indent();
        writer.WriteLine("Connection = connection ?? throw new global::System.ArgumentNullException(nameof(connection));");
        writer.Unindent();
        writer.WriteLine();
        writer.WriteLine("/// <summary>The connection underneath, for what the typed methods do not cover.</summary>");
        writer.WriteLine($"public {Client} Connection {{ get; }}");
        writer.WriteLine();
        writer.WriteLine(model.NamespaceIsTemplate
            ? "/// <summary>Connects to <paramref name=\"options\"/>' namespace, one name of the gateway's template.</summary>"
            : "/// <summary>Connects to the gateway's namespace.</summary>");
        writer.WriteLine($"public static async global::System.Threading.Tasks.Task<{model.ClassName}> ConnectAsync(global::System.Uri serverUrl, global::Gateways.Testing.GatewayTestClientOptions? options = null)");
        writer.OpenBlock();
        writer.WriteLine("options ??= new global::Gateways.Testing.GatewayTestClientOptions();");
        if (!model.NamespaceIsTemplate)
        {
            writer.WriteLine("options.Namespace = Namespace;");
        }
        writer.WriteLine($"return new {model.ClassName}(await {Client}.ConnectAsync(serverUrl, options).ConfigureAwait(false));");
        writer.CloseBlock();
        foreach (var send in model.Sends)
        {
            writer.WriteLine();
            var parameters = string.Join(", ", send.Parameters.Select(p => $"{p.TypeName} @{p.Name}"));
            var arguments = send.PropertyNames.Count > 0
                ? "new object?[] { new global::System.Collections.Generic.Dictionary<string, object?> { " +
                  string.Join(", ", send.PropertyNames.Select((name, i) => $"[{Literal(name)}] = @{send.Parameters[i].Name}")) + " } }"
                : send.Parameters.Count == 0 ? "global::System.Array.Empty<object?>()"
                : "new object?[] { " + string.Join(", ", send.Parameters.Select(p => "@" + p.Name)) + " }";
            var name = Literal(send.EventName);
            switch (send.Ack)
            {
                case TypedClientAck.Typed:
                    writer.WriteLine($"/// <summary>Sends <c>{Escape(send.EventName)}</c> and returns the handler's answer.</summary>");
                    writer.WriteLine($"public async global::System.Threading.Tasks.Task<{send.AckType}> {send.MethodName}({parameters}) =>");
                    writer.Indent();
                    writer.WriteLine($"(await Connection.EmitWithAckAsync({name}, {arguments}).ConfigureAwait(false)).Get<{send.AckType}>(0)!;");
                    writer.Unindent();
                    break;
                case TypedClientAck.Raw:
                    writer.WriteLine($"/// <summary>Sends <c>{Escape(send.EventName)}</c> and returns the acknowledgement's arguments.</summary>");
                    writer.WriteLine($"public global::System.Threading.Tasks.Task<global::Gateways.EventArguments> {send.MethodName}({parameters}) =>");
                    writer.Indent();
                    writer.WriteLine($"Connection.EmitWithAckAsync({name}, {arguments});");
                    writer.Unindent();
                    break;
                default:
                    writer.WriteLine($"/// <summary>Sends <c>{Escape(send.EventName)}</c> (its handler answers nothing).</summary>");
                    writer.WriteLine($"public global::System.Threading.Tasks.Task {send.MethodName}({parameters}) =>");
                    writer.Indent();
                    writer.WriteLine($"Connection.EmitAsync({name}, {arguments});");
                    writer.Unindent();
                    break;
            }
        }
        foreach (var listen in model.Listens)
        {
            writer.WriteLine();
            var types = listen.Parameters.Select(p => p.TypeName).ToList();
            var reads = string.Join(", ", listen.Parameters.Select((p, i) => $"arguments.Get<{p.TypeName}>({i})!"));
            var name = Literal(listen.EventName);
            var handler = types.Count == 0 ? "global::System.Action" : $"global::System.Action<{string.Join(", ", types)}>";
            writer.WriteLine($"/// <summary>Calls <paramref name=\"handler\"/> with every <c>{Escape(listen.EventName)}</c> the server sends; dispose the result to stop.</summary>");
            writer.WriteLine($"public global::System.IDisposable On{listen.MethodSuffix}({handler} handler) =>");
            writer.Indent();
            writer.WriteLine($"Connection.Subscribe({name}, arguments => handler({reads}));");
            writer.Unindent();
            writer.WriteLine();
            var result = types.Count switch
            {
                0 => "global::System.Threading.Tasks.Task",
                1 => $"global::System.Threading.Tasks.Task<{types[0]}>",
                _ => $"global::System.Threading.Tasks.Task<({string.Join(", ", listen.Parameters.Select(p => $"{p.TypeName} {Pascal(p.Name)}"))})>",
            };
            writer.WriteLine($"/// <summary>The next <c>{Escape(listen.EventName)}</c> not waited for before (those that arrived earlier count).</summary>");
            writer.WriteLine($"public async {result} WaitFor{listen.MethodSuffix}Async(global::System.TimeSpan? timeout = null)");
            writer.OpenBlock();
            writer.WriteLine($"var arguments = await Connection.WaitForAsync({name}, null, timeout).ConfigureAwait(false);");
            writer.WriteLine(types.Count switch
            {
                0 => "_ = arguments;",
                1 => $"return {reads};",
                _ => $"return ({reads});",
            });
            writer.CloseBlock();
        }
        writer.CloseBlock();
        if (model.ContainingNamespace.Length > 0)
        {
            writer.CloseBlock();
        }
        return writer.ToString();
    }

    private static string Literal(string value) => SymbolDisplay.FormatLiteral(value, quote: true);

    private static string Escape(string value) => value.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static string Pascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name.Substring(1);
}
