using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateways.Tests.Security;

/// <summary>Real signed JWTs for the tests (HS256), and the deliberately broken ones.</summary>
public static class TestTokens
{
    public const string Issuer = "gateways-tests";
    public const string Audience = "gateways-clients";
    public static readonly SymmetricSecurityKey Key = new(Encoding.UTF8.GetBytes("a-test-signing-key-that-is-long-enough-for-hs256"));
    private static readonly SymmetricSecurityKey OtherKey = new(Encoding.UTF8.GetBytes("another-key-nobody-configured-on-the-server-side"));

    public static TokenValidationParameters ValidationParameters => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = Key,
        ClockSkew = TimeSpan.Zero,
    };

    public static string Create(string userId, string[]? roles = null, IDictionary<string, object>? claims = null,
        DateTime? expires = null, DateTime? notBefore = null, string issuer = Issuer, string audience = Audience,
        SecurityKey? key = null)
    {
        var subject = new ClaimsIdentity([new Claim("sub", userId), new Claim("name", $"User {userId}")]);
        foreach (var role in roles ?? [])
        {
            subject.AddClaim(new Claim("role", role));
        }
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = subject,
            Claims = claims,
            Issuer = issuer,
            Audience = audience,
            IssuedAt = (notBefore ?? now).AddMinutes(-1) < now ? (notBefore ?? now).AddSeconds(-1) : now,
            NotBefore = notBefore ?? now.AddSeconds(-1),
            Expires = expires ?? now.AddHours(1),
            SigningCredentials = new SigningCredentials(key ?? Key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>An unsigned token ("alg":"none") that would be valid if signatures were not checked.</summary>
    public static string Unsigned(string userId)
    {
        static string Encode(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        return $"{Encode("""{"alg":"none","typ":"JWT"}""")}.{Encode($$"""{"sub":"{{userId}}","iss":"{{Issuer}}","aud":"{{Audience}}","exp":{{exp}}}""")}.";
    }

    public static string WrongKey(string userId) => Create(userId, key: OtherKey);
}
