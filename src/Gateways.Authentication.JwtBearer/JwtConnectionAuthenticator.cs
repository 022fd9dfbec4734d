using System.Security.Claims;
using Gateways.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Gateways.Security;

/// <summary>
/// The connection middleware that authenticates sockets: it finds the token (the CONNECT packet's <c>auth.token</c>,
/// then <c>Authorization: Bearer</c> on the handshake request, then <c>?token=</c>), validates it with the app's
/// JwtBearer options, and puts the principal and user id on the socket.
/// </summary>
internal sealed partial class JwtConnectionAuthenticator(
    IOptionsMonitor<JwtBearerOptions> jwtOptions,
    IOptions<GatewaysJwtOptions> options,
    GatewayDeclarations declarations,
        ILogger<JwtConnectionAuthenticator> logger)
{
    private const string Unauthorized = "Unauthorized";
    private readonly GatewaysJwtOptions _options = options.Value;
    private HashSet<string>? _anonymous;

    public async ValueTask AuthenticateAsync(GatewayConnectContext context, Func<ValueTask> next)
    {
        var socket = context.Socket;
        var token = FindToken(socket.Handshake);
        if (token is null)
        {
            if (_options.RequireAuthentication && !IsAnonymous(socket.Namespace))
            {
                Log.Refused(logger, socket.Namespace, "no token");
                throw new ConnectionRefusedException(Unauthorized);
            }
            await next();
            return;
        }
        var (principal, expires, skew) = await ValidateAsync(token, socket.Namespace);
        socket.User = principal;
        socket.UserId = FindUserId(principal);
        if (_options.DisconnectOnExpiry && expires != DateTime.MinValue && socket is Namespaces.GatewaySocket gatewaySocket)
        {
            // The timer itself starts when the socket is connected: a later middleware may still refuse it.
            gatewaySocket.TokenExpiresAt = new DateTimeOffset(expires, TimeSpan.Zero) + skew;
        }
        await next();
    }

    private async ValueTask<(ClaimsPrincipal Principal, DateTime Expires, TimeSpan Skew)> ValidateAsync(string token, string @namespace)
    {
        var jwt = jwtOptions.Get(_options.Scheme);
        var parameters = jwt.TokenValidationParameters;
        if (jwt.ConfigurationManager is { } manager)
        {
            // An authority's metadata (issuer, signing keys) completes the parameters, as JwtBearerHandler does.
            var configuration = await manager.GetConfigurationAsync(CancellationToken.None);
            parameters = parameters.Clone();
            parameters.ValidIssuers = [.. parameters.ValidIssuers ?? [], configuration.Issuer];
            parameters.IssuerSigningKeys = [.. parameters.IssuerSigningKeys ?? [], .. configuration.SigningKeys];
        }
        Exception? failure = null;
        foreach (var handler in jwt.TokenHandlers)
        {
            var result = await handler.ValidateTokenAsync(token, parameters);
            if (result.IsValid)
            {
                return (new ClaimsPrincipal(result.ClaimsIdentity), result.SecurityToken?.ValidTo ?? DateTime.MinValue, parameters.ClockSkew);
            }
            failure = result.Exception;
        }
        Log.Refused(logger, @namespace, failure?.Message ?? "no token handler accepted the token");
        throw new ConnectionRefusedException(Unauthorized);
    }

    private string? FindToken(Handshake handshake)
    {
        if (handshake.Auth.ValueKind == System.Text.Json.JsonValueKind.Object
            && handshake.Auth.TryGetProperty("token", out var fromAuth) && fromAuth.ValueKind == System.Text.Json.JsonValueKind.String)
        {
            return fromAuth.GetString();
        }
        if (handshake.Headers.TryGetValue("Authorization", out var header)
            && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }
        if (_options.QueryParameter is { } name && handshake.Query.TryGetValue(name, out var fromQuery) && fromQuery.Length > 0)
        {
            return fromQuery;
        }
        return null;
    }

    private string? FindUserId(ClaimsPrincipal principal)
    {
        foreach (var type in _options.UserIdClaimTypes)
        {
            if (principal.FindFirst(type)?.Value is { Length: > 0 } id)
            {
                return id;
            }
        }
        return null;
    }

    private bool IsAnonymous(string @namespace)
    {
        _anonymous ??= [.. _options.AnonymousNamespaces, .. declarations.Gateways.Where(g => g.AllowAnonymous).Select(g => g.Namespace)];
        return _anonymous.Contains(@namespace);
    }

    private static partial class Log
    {
        // Debug: a client can repeat a bad token as often as it likes (the connection is closed after
        // MaxRefusedConnects refusals in a row, with one Warning).
        [LoggerMessage(201, LogLevel.Debug, "Refused a socket for namespace '{Namespace}': {Reason}.")]
        public static partial void Refused(ILogger logger, string @namespace, string reason);
    }
}
