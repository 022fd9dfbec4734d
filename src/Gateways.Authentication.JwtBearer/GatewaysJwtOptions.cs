using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Gateways.Security;

/// <summary>How sockets authenticate with JWTs, validated by the app's own JwtBearer configuration.</summary>
public sealed class GatewaysJwtOptions
{
    /// <summary>The JwtBearer scheme whose options (TokenValidationParameters, token handlers, authority metadata)
    /// validate socket tokens: one configuration for HTTP and sockets. Default <c>Bearer</c>.</summary>
    public string Scheme { get; set; } = JwtBearerDefaults.AuthenticationScheme;

    /// <summary>Whether a namespace refuses sockets without a valid token. Gateways marked <c>[AllowAnonymous]</c> and
    /// <see cref="AnonymousNamespaces"/> accept them (a token they do get must still be valid). Default
    /// <see langword="true"/>.</summary>
    public bool RequireAuthentication { get; set; } = true;

    /// <summary>Namespaces that accept sockets without a token.</summary>
    public List<string> AnonymousNamespaces { get; set; } = [];

    /// <summary>The claim types the user id is read from, first match wins. Default: <c>sub</c>, its mapped form
    /// <see cref="ClaimTypes.NameIdentifier"/>, then <c>id</c>.</summary>
    public List<string> UserIdClaimTypes { get; set; } = ["sub", ClaimTypes.NameIdentifier, "id"];

    /// <summary>Disconnect a socket when its token expires (plus the validation's clock skew); the client gets the
    /// <c>exception</c> event "Token expired" first. Default <see langword="true"/>.</summary>
    public bool DisconnectOnExpiry { get; set; } = true;

    /// <summary>The query parameter a token may come in, for legacy clients that can set neither the CONNECT auth
    /// payload nor a header; null (the default) turns that source off. Opt in with care: a token in the URL lands
    /// wherever URLs are logged (ASP.NET Core's request logging writes the full URL at Information, and so do
    /// proxies and access logs).</summary>
    public string? QueryParameter { get; set; }
}
