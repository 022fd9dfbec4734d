using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateways;

/// <summary>
/// What a socket knows of the request that opened its connection, plus the auth payload its CONNECT packet carried
/// (socket.io's <c>socket.handshake</c>). Serialized, it has socket.io's shape (<c>headers</c> with lower-case names,
/// <c>time</c>, <c>address</c>, <c>xdomain</c>, <c>secure</c>, <c>issued</c> in Unix milliseconds, <c>url</c>,
/// <c>query</c>, <c>auth</c>), so <c>ack(socket.Handshake)</c> answers what a Node server would.
/// </summary>
[JsonConverter(typeof(HandshakeJsonConverter))]
public sealed class Handshake
{
    /// <summary>Creates the handshake data.</summary>
    /// <param name="headers">The request headers, one comma-joined value per name (case-insensitive keys).</param>
    /// <param name="query">The query parameters, one comma-joined value per name.</param>
    /// <param name="auth">The CONNECT packet's payload; an empty object when the client sent none.</param>
    /// <param name="address">The remote IP address.</param>
    /// <param name="url">The path and query of the request.</param>
    /// <param name="secure">Whether the connection uses TLS.</param>
    /// <param name="issued">When the connection was opened.</param>
    public Handshake(IReadOnlyDictionary<string, string> headers, IReadOnlyDictionary<string, string> query,
        JsonElement auth, string address, string url, bool secure, DateTimeOffset issued)
    {
        Headers = headers;
        Query = query;
        Auth = auth;
        Address = address;
        Url = url;
        Secure = secure;
        Issued = issued;
    }

    /// <summary>The request headers (case-insensitive keys).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The query parameters of the request.</summary>
    public IReadOnlyDictionary<string, string> Query { get; }

    /// <summary>The CONNECT packet's payload, such as <c>{ "token": "…" }</c> from <c>io(url, { auth })</c>; an
    /// empty object when the client sent none.</summary>
    public JsonElement Auth { get; }

    /// <summary>The remote IP address.</summary>
    public string Address { get; }

    /// <summary>The path and query of the request.</summary>
    public string Url { get; }

    /// <summary>Whether the connection uses TLS.</summary>
    public bool Secure { get; }

    /// <summary>When the connection was opened.</summary>
    public DateTimeOffset Issued { get; }

    /// <summary><see cref="Issued"/> as socket.io writes it (JavaScript's <c>Date.toString()</c>, in UTC).</summary>
    public string Time => Issued.UtcDateTime.ToString("ddd MMM dd yyyy HH:mm:ss 'GMT+0000 (Coordinated Universal Time)'",
        CultureInfo.InvariantCulture);

    /// <summary>Whether the request came from another origin: it carried an <c>Origin</c> header (socket.io's
    /// <c>xdomain</c>).</summary>
    public bool XDomain => Headers.ContainsKey("origin");
}

/// <summary>Writes a <see cref="Handshake"/> in socket.io's shape; reading one is not supported (a handshake comes
/// from a request, never from a client's JSON).</summary>
internal sealed class HandshakeJsonConverter : JsonConverter<Handshake>
{
    public override Handshake Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("A handshake cannot be read from JSON.");

    public override void Write(Utf8JsonWriter writer, Handshake value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("headers");
        foreach (var (name, header) in value.Headers)
        {
            writer.WriteString(name.ToLowerInvariant(), header);
        }
        writer.WriteEndObject();
        writer.WriteString("time", value.Time);
        writer.WriteString("address", value.Address);
        writer.WriteBoolean("xdomain", value.XDomain);
        writer.WriteBoolean("secure", value.Secure);
        writer.WriteNumber("issued", value.Issued.ToUnixTimeMilliseconds());
        writer.WriteString("url", value.Url);
        writer.WriteStartObject("query");
        foreach (var (name, parameter) in value.Query)
        {
            writer.WriteString(name, parameter);
        }
        writer.WriteEndObject();
        writer.WritePropertyName("auth");
        if (value.Auth.ValueKind == JsonValueKind.Undefined)
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        }
        else
        {
            value.Auth.WriteTo(writer);
        }
        writer.WriteEndObject();
    }
}
