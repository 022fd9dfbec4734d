using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateways.Internal;

/// <summary>Metadata for the JSON types the runtime itself binds and writes, so that they work without reflection
/// (Native AOT) even before the app adds its own context.</summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(decimal))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(byte[]))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(Dictionary<string, object?>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(Handshake))]
[JsonSerializable(typeof(Namespaces.ErrorPayload))]
internal sealed partial class GatewaysJsonContext : JsonSerializerContext;
