using System.Text;
using Gateways.Adapters.Redis;
using Gateways.AdminUI;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Chat.Services;

/// <summary>The sample's environment contract: WS_PORT, WS_REDIS_URL, WS_REDIS_ADAPTER, WS_RECOVERY_SECONDS,
/// WS_OTEL_EXPORTER, ADMIN_UI_USER, ADMIN_UI_PASSWORD, ADMIN_UI_MODE, JWT_SECRET, JWT_ISSUER, JWT_AUDIENCE, CHAT_DB.</summary>
public sealed class ChatSettings
{
    /// <summary>The development secret used when JWT_SECRET is unset. Never use it in production.</summary>
    public const string DevelopmentSecret = "gateways-chat-development-secret-change-me-0123456789";

    public required string DatabasePath { get; init; }

    public required SymmetricSecurityKey SigningKey { get; init; }

    public string? Issuer { get; init; }

    public string? Audience { get; init; }

    public string? RedisUrl { get; init; }

    /// <summary>Which Redis adapter (WS_REDIS_ADAPTER): <c>pubsub</c> (the default, Node's <c>createAdapter</c>),
    /// <c>sharded</c> (<c>createShardedAdapter</c>) or <c>streams</c> (<c>@socket.io/redis-streams-adapter</c>, with
    /// which a client recovers its session on any instance).</summary>
    public RedisAdapterMode RedisMode { get; init; }

    /// <summary>How long a client that lost its connection may come back and get what it missed (WS_RECOVERY_SECONDS,
    /// default 120; 0 turns connection state recovery off).</summary>
    public TimeSpan RecoveryWindow { get; init; }

    /// <summary>Where the Gateways meter and traces go (WS_OTEL_EXPORTER): <c>console</c>, <c>otlp</c> (to
    /// OTEL_EXPORTER_OTLP_ENDPOINT, http://localhost:4317 by default) or unset (no OpenTelemetry).</summary>
    public string? TelemetryExporter { get; init; }

    /// <summary>The socket.io Admin UI's login (ADMIN_UI_USER and ADMIN_UI_PASSWORD, both or neither): its namespace
    /// <c>/admin</c> is served only when they are set. The password is hashed at startup and the text dropped.</summary>
    public AdminUILogin? AdminUI { get; init; }

    public static ChatSettings FromConfiguration(IConfiguration configuration)
    {
        var secret = configuration["JWT_SECRET"] is { Length: > 0 } configured ? configured : DevelopmentSecret;
        if (Encoding.UTF8.GetByteCount(secret) < 32)
        {
            throw new InvalidOperationException("JWT_SECRET must be at least 32 bytes for HS256.");
        }
        return new ChatSettings
        {
            DatabasePath = configuration["CHAT_DB"] is { Length: > 0 } db ? db : "chat.db",
            SigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)),
            Issuer = NullIfEmpty(configuration["JWT_ISSUER"]),
            Audience = NullIfEmpty(configuration["JWT_AUDIENCE"]),
            RedisUrl = NullIfEmpty(configuration["WS_REDIS_URL"]),
            RedisMode = NullIfEmpty(configuration["WS_REDIS_ADAPTER"])?.ToLowerInvariant() switch
            {
                null or "pubsub" => RedisAdapterMode.Classic,
                "sharded" => RedisAdapterMode.Sharded,
                "streams" => RedisAdapterMode.Streams,
                var other => throw new InvalidOperationException($"WS_REDIS_ADAPTER must be pubsub, sharded or streams, not '{other}'."),
            },
            RecoveryWindow = TimeSpan.FromSeconds(int.TryParse(configuration["WS_RECOVERY_SECONDS"], out var seconds) && seconds >= 0 ? seconds : 120),
            TelemetryExporter = NullIfEmpty(configuration["WS_OTEL_EXPORTER"])?.ToLowerInvariant() switch
            {
                null => null,
                "console" => "console",
                "otlp" => "otlp",
                var other => throw new InvalidOperationException($"WS_OTEL_EXPORTER must be console or otlp, not '{other}'."),
            },
            AdminUI = AdminUILogin.FromConfiguration(configuration),
        };
    }

    /// <summary>A development token for <paramref name="userId"/>, valid for 24 hours.</summary>
    public string CreateToken(string userId, TimeSpan? lifetime = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["sub"] = userId },
            Issuer = Issuer,
            Audience = Audience,
            Expires = DateTime.UtcNow + (lifetime ?? TimeSpan.FromHours(24)),
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.HmacSha256),
        });

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>Who may open the Admin UI, and how much it is shown (ADMIN_UI_MODE: <c>development</c>, the default here,
/// lists every socket and event; <c>production</c> only the counts).</summary>
public sealed record AdminUILogin(string User, string PasswordHash, AdminUIMode Mode)
{
    public static AdminUILogin? FromConfiguration(IConfiguration configuration)
    {
        var user = configuration["ADMIN_UI_USER"];
        var password = configuration["ADMIN_UI_PASSWORD"];
        if (string.IsNullOrEmpty(user) && string.IsNullOrEmpty(password))
        {
            return null;
        }
        if (string.IsNullOrEmpty(user) || string.IsNullOrEmpty(password))
        {
            throw new InvalidOperationException("Set both ADMIN_UI_USER and ADMIN_UI_PASSWORD to serve the Admin UI, or neither.");
        }
        var mode = configuration["ADMIN_UI_MODE"]?.ToLowerInvariant() switch
        {
            null or "" or "development" => AdminUIMode.Development,
            "production" => AdminUIMode.Production,
            var other => throw new InvalidOperationException($"ADMIN_UI_MODE must be development or production, not '{other}'."),
        };
        return new AdminUILogin(user, AdminUIPassword.Hash(password), mode);
    }
}
