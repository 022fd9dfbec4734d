using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateways.Testing;

/// <summary>Mints JWTs signed with the key the app under test configured for JwtBearer, so tests need no copy of the
/// secret: <c>[WsUser]</c>, user rooms and authorization become testable as they run.</summary>
public static class GatewayTestTokens
{
    /// <summary>A token for <paramref name="userId"/> (<c>sub</c>), with the app's issuer and audience when it
    /// validates them.</summary>
    /// <param name="services">The app's services (<c>WebApplicationFactory.Services</c>, <c>app.Services</c>).</param>
    /// <param name="userId">The user id.</param>
    /// <param name="claims">Extra claims, such as roles.</param>
    /// <param name="lifetime">How long the token is valid; one hour by default.</param>
    /// <param name="scheme">The JwtBearer scheme; <c>Bearer</c> by default.</param>
    /// <exception cref="InvalidOperationException">The scheme has no signing key the tests can use.</exception>
    public static string CreateToken(IServiceProvider services, string userId, IEnumerable<Claim>? claims = null,
        TimeSpan? lifetime = null, string scheme = JwtBearerDefaults.AuthenticationScheme)
    {
        var parameters = services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(scheme).TokenValidationParameters;
        var key = parameters.IssuerSigningKey ?? parameters.IssuerSigningKeys?.FirstOrDefault()
            ?? throw new InvalidOperationException($"The JwtBearer scheme '{scheme}' has no IssuerSigningKey to sign test tokens with.");
        var algorithm = key is SymmetricSecurityKey ? SecurityAlgorithms.HmacSha256 : SecurityAlgorithms.RsaSha256;
        var subject = new ClaimsIdentity([new Claim("sub", userId)]);
        subject.AddClaims(claims ?? []);
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = subject,
            Issuer = parameters.ValidateIssuer ? parameters.ValidIssuer ?? parameters.ValidIssuers?.FirstOrDefault() : null,
            Audience = parameters.ValidateAudience ? parameters.ValidAudience ?? parameters.ValidAudiences?.FirstOrDefault() : null,
            NotBefore = now.AddSeconds(-1),
            Expires = now + (lifetime ?? TimeSpan.FromHours(1)),
            SigningCredentials = new SigningCredentials(key, algorithm),
        });
    }
}
