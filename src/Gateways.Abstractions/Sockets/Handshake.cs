using System.Text.Json;

namespace Gateways;

/// <summary>
/// What a socket knows of the request that opened its connection, plus the auth payload its CONNECT packet carried
/// (socket.io's <c>socket.handshake</c>).
/// </summary>
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
}
