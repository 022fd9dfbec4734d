using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using Gateways.SourceGen.Model;

namespace Gateways.SourceGen.Emitting;

/// <summary>
/// Writes the app's contract files (the TypeScript event maps, the AsyncAPI document) from every gateway's contract,
/// into one generated source as assembly metadata (<c>[assembly: AssemblyMetadata("Gateways.Contract:file", text)]</c>):
/// a generator may not write files, so Gateways.Runtime's build targets read them from the compiled assembly and write
/// them to <c>$(GatewaysContractsOutputPath)</c>.
/// </summary>
internal static class ContractsEmitter
{
    public const string HintName = "Gateways.Contracts.g.cs";
    public const string MetadataPrefix = "Gateways.Contract:";

    public static string Emit(ImmutableArray<GatewayContract> contracts, ContractSettings settings)
    {
        var (namespaces, shapes) = Merge(contracts);
        var files = new SortedDictionary<string, string>(System.StringComparer.Ordinal)
        {
            [TypeScriptEmitter.FileName] = TypeScriptEmitter.Emit(namespaces, shapes),
            [AsyncApiEmitter.FileName] = AsyncApiEmitter.Emit(namespaces, shapes, settings.Title, settings.JwtBearer),
        };
        var writer = new SourceWriter();
        Header.Write(writer);
        writer.WriteLine("// The app's contracts, written to files at build by Gateways.Runtime's build targets (docs/contracts.md).");
        foreach (var file in files)
        {
            writer.WriteLine($"[assembly: global::System.Reflection.AssemblyMetadata(\"{MetadataPrefix}{file.Key}\", @\"{file.Value.Replace("\"", "\"\"")}\")]");
        }
        return writer.ToString();
    }

    /// <summary>Namespaces in name order with their events (a client event declared by two gateways of one namespace
    /// once), and every shape under a name unique across the app.</summary>
    internal static (List<NamespaceContract> Namespaces, Dictionary<string, TypeShape> Shapes) Merge(ImmutableArray<GatewayContract> contracts)
    {
        var namespaces = new SortedDictionary<string, NamespaceContract>(System.StringComparer.Ordinal);
        var byId = new SortedDictionary<string, TypeShape>(System.StringComparer.Ordinal);
        foreach (var contract in contracts.OrderBy(c => c.Gateway, System.StringComparer.Ordinal))
        {
            if (!namespaces.TryGetValue(contract.Namespace, out var ns))
            {
                namespaces[contract.Namespace] = ns = new NamespaceContract(contract.Namespace);
            }
            foreach (var e in contract.ClientToServer)
            {
                if (!ns.ClientToServer.Any(existing => existing.EventName == e.EventName))
                {
                    ns.ClientToServer.Add(e);
                }
            }
            foreach (var e in contract.ServerToClient)
            {
                if (!ns.ServerToClient.Any(existing => existing.EventName == e.EventName))
                {
                    ns.ServerToClient.Add(e);
                }
            }
            foreach (var shape in contract.Types)
            {
                byId[shape.Id] = shape;
            }
        }
        foreach (var ns in namespaces.Values)
        {
            ns.ClientToServer.Sort((a, b) => string.CompareOrdinal(a.EventName, b.EventName));
            ns.ServerToClient.Sort((a, b) => string.CompareOrdinal(a.EventName, b.EventName));
        }
        var shapes = new Dictionary<string, TypeShape>(System.StringComparer.Ordinal);
        var taken = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (var shape in byId.Values)
        {
            shapes[shape.Id] = shape with { Name = Helpers.Names.Unique(taken, shape.Name) };
        }
        return ([.. namespaces.Values], shapes);
    }
}

/// <summary>What the contracts take from the compilation besides the gateways: the app's name (the document's title)
/// and whether it authenticates with Gateways.Authentication.JwtBearer (the document's security scheme).</summary>
internal sealed record ContractSettings(string Title, bool JwtBearer);
