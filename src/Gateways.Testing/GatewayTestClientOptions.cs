using System.Text.Json;
using Gateways.Hosting;

namespace Gateways.Testing;

/// <summary>How a <see cref="GatewayTestClient"/> connects.</summary>
public sealed class GatewayTestClientOptions
{
    /// <summary>The namespace to connect to. Default <c>/</c>.</summary>
    public string Namespace { get; set; } = "/";

    /// <summary>The Socket.IO path. Default <c>/socket.io/</c>.</summary>
    public string Path { get; set; } = "/socket.io/";

    /// <summary>A JWT sent as the CONNECT auth payload <c>{ "token": … }</c>, as the seed's client does.</summary>
    public string? Token { get; set; }

    /// <summary>Any other CONNECT auth payload (serialized to JSON); wins over <see cref="Token"/>.</summary>
    public object? Auth { get; set; }

    /// <summary>Request headers for the handshake (URL connections only).</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Query parameters for the handshake.</summary>
    public Dictionary<string, string> Query { get; } = new(StringComparer.Ordinal);

    /// <summary>Answer the server's pings (default); turn off to test ping timeouts.</summary>
    public bool AnswerPings { get; set; } = true;

    /// <summary>How long connects, acknowledgements and waits take at most. Default 10 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The JSON options for arguments; the runtime's defaults (web, camelCase) unless set.</summary>
    public JsonSerializerOptions SerializerOptions { get; set; } = new GatewaysJsonOptions().SerializerOptions;
}
