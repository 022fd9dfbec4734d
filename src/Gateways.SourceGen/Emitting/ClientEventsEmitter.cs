using System.Linq;
using Gateways.SourceGen.Model;

namespace Gateways.SourceGen.Emitting;

/// <summary>Writes the implementation of a [GatewayClientEvents] interface: each method one Emit, and a module
/// initializer that registers it for <c>Typed&lt;T&gt;()</c>.</summary>
internal static class ClientEventsEmitter
{
    public static string HintName(ClientEventsModel model) => model.ImplementationName + ".g.cs";

    public static string Emit(ClientEventsModel model)
    {
        var writer = new SourceWriter();
        Header.Write(writer);
        writer.WriteLine("namespace Gateways.Generated");
        writer.OpenBlock();
        writer.WriteLine($"/// <summary>Sends the events of <see cref=\"{model.FullyQualifiedName.Replace("global::", "")}\"/> to one target.</summary>");
        Header.WriteTypeAttributes(writer);
        writer.WriteLine($"internal sealed class {model.ImplementationName} : {model.FullyQualifiedName}");
        writer.OpenBlock();
        writer.WriteLine("private readonly global::Gateways.IGatewayEmitter _target;");
        writer.WriteLine();
        writer.WriteLine($"private {model.ImplementationName}(global::Gateways.IGatewayEmitter target) => _target = target;");
        writer.WriteLine();
        writer.WriteLine("[global::System.Runtime.CompilerServices.ModuleInitializer]");
        writer.WriteLine("internal static void Register() =>");
        writer.Indent();
        writer.WriteLine($"global::Gateways.GatewayClientEvents.Register<{model.FullyQualifiedName}>(static target => new {model.ImplementationName}(target));");
        writer.Unindent();
        foreach (var method in model.Methods)
        {
            writer.WriteLine();
            var parameters = string.Join(", ", method.Parameters.Select(p => $"{p.TypeName} @{p.Name}"));
            // An explicit array: a lone object[] parameter must stay one argument, not become the params array.
            var arguments = method.Parameters.Count == 0 ? "global::System.Array.Empty<object?>()"
                : "new object?[] { " + string.Join(", ", method.Parameters.Select(p => "@" + p.Name)) + " }";
            var literal = Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(method.EventName, quote: true);
            writer.WriteLine($"public void {method.MethodName}({parameters}) => _target.Emit({literal}, {arguments});");
        }
        writer.CloseBlock();
        writer.CloseBlock();
        return writer.ToString();
    }
}
