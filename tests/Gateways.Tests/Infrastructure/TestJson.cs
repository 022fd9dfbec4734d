using System.Text.Json;

namespace Gateways.Tests.Infrastructure;

/// <summary>JSON options for tests that build packets and arguments without a server: web defaults and the runtime's
/// own metadata (strings, numbers, JsonElement), as a server would have before the app adds anything.</summary>
internal static class TestJson
{
    public static JsonSerializerOptions Runtime { get; } =
        new(JsonSerializerDefaults.Web) { TypeInfoResolver = Internal.GatewaysJsonContext.Default };
}
