using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Gateways.EngineIO;

namespace Gateways.Hosting;

/// <summary>Settings of the Socket.IO server. Bound from the <c>Gateways</c> configuration section.</summary>
public sealed class GatewaysOptions
{
    /// <summary>The Engine.IO settings: heartbeat, payload limit, transports, CORS, send queue bound.</summary>
    public EngineIOOptions EngineIO { get; set; } = new();

    /// <summary>How long a client may stay connected without joining any namespace. Default 45 s (socket.io's).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>How many event handlers of one connection may run at once. Events start in arrival order; past this
    /// limit the connection's next message waits, which bounds what a flooding client can start. Default 16.</summary>
    public int MaxConcurrentEventsPerConnection { get; set; } = 16;

    /// <summary>The most binary attachments one packet may announce. Default 10.</summary>
    public int MaxAttachments { get; set; } = 10;
}

/// <summary>What <c>AddNamespace</c> and <c>AddGateway</c> declared; one instance per service collection, kept out
/// of the options so configuration binding never sees it.</summary>
internal sealed class GatewayDeclarations
{
    public Dictionary<string, List<Action<GatewayNamespaceBuilder>>> Namespaces { get; } = new(StringComparer.Ordinal);

    public List<Dispatch.GatewayDescriptor> Gateways { get; } = [];
}

/// <summary>The JSON settings for event arguments and acknowledgements, kept apart from <see cref="GatewaysOptions"/>
/// because they are set in code, not bound from configuration (like ASP.NET Core's <c>JsonOptions</c>).</summary>
public sealed class GatewaysJsonOptions
{
    /// <summary>Creates the default options.</summary>
    public GatewaysJsonOptions()
    {
        SerializerOptions.TypeInfoResolverChain.Add(Internal.GatewaysJsonContext.Default);
        if (JsonSerializer.IsReflectionEnabledByDefault)
        {
            SerializerOptions.TypeInfoResolverChain.Add(CreateReflectionResolver());
        }
    }

    /// <summary>The serializer options. Insert a <c>JsonSerializerContext</c> into <c>TypeInfoResolverChain</c> to
    /// stay trimming- and Native AOT-safe; where reflection is enabled (not trimmed) any type works. JSON primitives,
    /// <see cref="JsonElement"/> and <see cref="byte"/>[] always work. Default: web defaults (camelCase names,
    /// case-insensitive reads).</summary>
    public JsonSerializerOptions SerializerOptions { get; } = new(JsonSerializerDefaults.Web);

    // Reached only when the app was not trimmed (IsReflectionEnabledByDefault), as ASP.NET Core's JsonOptions does.
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Guarded by JsonSerializer.IsReflectionEnabledByDefault.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Guarded by JsonSerializer.IsReflectionEnabledByDefault.")]
    private static DefaultJsonTypeInfoResolver CreateReflectionResolver() => new();
}
