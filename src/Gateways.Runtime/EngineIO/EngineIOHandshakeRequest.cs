using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Gateways.EngineIO;

/// <summary>A snapshot of the HTTP request that opened an Engine.IO session, kept for the session's life.</summary>
public sealed class EngineIOHandshakeRequest
{
    private EngineIOHandshakeRequest(IReadOnlyDictionary<string, string> headers, IReadOnlyDictionary<string, string> query,
        string remoteAddress, string url, bool isHttps, ClaimsPrincipal? user)
    {
        Headers = headers;
        Query = query;
        RemoteAddress = remoteAddress;
        Url = url;
        IsHttps = isHttps;
        AuthenticatedUser = user?.Identity?.IsAuthenticated == true ? user : null;
        _user = user;
    }

    private ClaimsPrincipal? _user;

    /// <summary>The request headers, multiple values joined with commas (case-insensitive keys).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The query parameters (case-sensitive keys, as in socket.io).</summary>
    public IReadOnlyDictionary<string, string> Query { get; }

    /// <summary>The remote IP address.</summary>
    public string RemoteAddress { get; }

    /// <summary>The path and query string.</summary>
    public string Url { get; }

    /// <summary>Whether the request came over TLS.</summary>
    public bool IsHttps { get; }

    /// <summary>The user ASP.NET Core's authentication middleware attached to the request, if it ran.</summary>
    /// <remarks>Without authentication, an anonymous principal made when first read (ASP.NET Core would make one per
    /// request; an idle connection need not hold it).</remarks>
    public ClaimsPrincipal User => _user ?? LazyInitializer.EnsureInitialized(ref _user, static () => new ClaimsPrincipal(new ClaimsIdentity()));

    /// <summary>The user when authentication signed one in, else null.</summary>
    internal ClaimsPrincipal? AuthenticatedUser { get; }

    internal static EngineIOHandshakeRequest From(HttpContext context)
    {
        var request = context.Request;
        var headers = new Dictionary<string, string>(request.Headers.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var header in request.Headers)
        {
            headers[header.Key] = header.Value.ToString();
        }
        var query = new Dictionary<string, string>(request.Query.Count, StringComparer.Ordinal);
        foreach (var parameter in request.Query)
        {
            query[parameter.Key] = parameter.Value.ToString();
        }
        return new EngineIOHandshakeRequest(headers, query,
            context.Connection.RemoteIpAddress?.ToString() ?? string.Empty,
            request.Path + request.QueryString, request.IsHttps,
            // The feature, not HttpContext.User: that getter creates an anonymous principal when nobody authenticated.
            context.Features.Get<Microsoft.AspNetCore.Http.Features.Authentication.IHttpAuthenticationFeature>()?.User);
    }
}
