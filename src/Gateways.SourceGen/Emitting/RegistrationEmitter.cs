using System.Collections.Immutable;
using System.Linq;
using Gateways.SourceGen.Model;

namespace Gateways.SourceGen.Emitting;

/// <summary>Writes the assembly's one registration file: the list of its gateways for assembly scanning, and a
/// module initializer that puts them in GatewayRegistry so AddGateway&lt;T&gt;() finds them without reflection.</summary>
internal static class RegistrationEmitter
{
    public const string HintName = "Gateways.Registration.g.cs";

    public static string Emit(ImmutableArray<GatewaySummary> gateways)
    {
        var ordered = gateways.OrderBy(g => g.DispatcherFullName, System.StringComparer.Ordinal).ToList();
        var writer = new SourceWriter();
        Header.Write(writer);
        writer.WriteLine("namespace Gateways.Generated");
        writer.OpenBlock();
        writer.WriteLine("/// <summary>The gateways of this assembly.</summary>");
        Header.WriteTypeAttributes(writer);
        writer.WriteLine("internal sealed class GatewayRegistration : global::Gateways.Dispatch.IGatewayRegistration");
        writer.OpenBlock();
        writer.WriteLine("public global::System.Collections.Generic.IReadOnlyList<global::Gateways.Dispatch.GatewayDescriptor> Gateways { get; } =");
        writer.Indent();
        if (ordered.Count == 0)
        {
            writer.WriteLine("global::System.Array.Empty<global::Gateways.Dispatch.GatewayDescriptor>();");
        }
        else
        {
            writer.WriteLine("new global::Gateways.Dispatch.GatewayDescriptor[]");
            writer.OpenBlock();
            foreach (var gateway in ordered)
            {
                writer.WriteLine($"{gateway.DispatcherFullName}.Descriptor,");
            }
            writer.CloseBlock(";");
        }
        writer.Unindent();
        writer.WriteLine();
        writer.WriteLine("#pragma warning disable CA2255 // A library's gateways must be found without reflection, so it registers them on load.");
        writer.WriteLine("[global::System.Runtime.CompilerServices.ModuleInitializer]");
        writer.WriteLine("#pragma warning restore CA2255");
        writer.WriteLine("internal static void RegisterGateways()");
        writer.OpenBlock();
        writer.WriteLine("foreach (var descriptor in new GatewayRegistration().Gateways)");
        writer.OpenBlock();
        writer.WriteLine("global::Gateways.Dispatch.GatewayRegistry.Register(descriptor);");
        writer.CloseBlock();
        writer.CloseBlock();
        writer.CloseBlock();
        writer.CloseBlock();
        return writer.ToString();
    }
}
