namespace Gateways.AdminUI;

/// <summary>
/// Settings of the socket.io Admin UI namespace (<c>AddGateways().AddAdminUI(…)</c>): the <c>/admin</c> namespace
/// that <c>@socket.io/admin-ui</c>'s page connects to. Authentication is required unless
/// <see cref="AllowAnonymous"/> is set explicitly.
/// </summary>
public sealed class AdminUIOptions
{
    /// <summary>The namespace the page connects to. Default <c>/admin</c> (the page's default too).</summary>
    public string NamespaceName { get; set; } = "/admin";

    /// <summary>The user name the page must send.</summary>
    public string? Username { get; set; }

    /// <summary>The password's hash, made by <see cref="AdminUIPassword.Hash(string)"/> (PBKDF2-SHA256); the plain
    /// password is never kept.</summary>
    public string? PasswordHash { get; set; }

    /// <summary>Serve the namespace without credentials. Off by default; only for a server nobody else can reach.</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>Refuse the page's operations (emit, join, leave, disconnect): it only watches. Default off.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>How this server is named in the page's server list. Default: the machine name and process id.</summary>
    public string? ServerId { get; set; }

    /// <summary><see cref="AdminUIMode.Development"/> sends every socket, room and event to the page;
    /// <see cref="AdminUIMode.Production"/> only the aggregated counts every <see cref="StatsInterval"/>. Default:
    /// Development when the host environment is Development, Production otherwise.</summary>
    public AdminUIMode? Mode { get; set; }

    /// <summary>How often this server sends its stats (<c>server_stats</c>). Default 2 s (the page's expectation).</summary>
    public TimeSpan StatsInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a login's session id (which the page sends instead of the password when it reconnects)
    /// stays valid. Default 24 h.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The most sessions kept; past it the oldest is forgotten (its page logs in again). Default 1,000.</summary>
    public int MaxSessions { get; set; } = 1000;

    /// <summary>The most events (socket, room, message) waiting to be sent to the page; past it new ones are dropped
    /// and counted, so a busy server never queues without bound for its observers. Default 10,000.</summary>
    public int MaxQueuedEvents { get; set; } = 10_000;
}

/// <summary>How much the Admin UI is told.</summary>
public enum AdminUIMode
{
    /// <summary>Every socket, room membership and event, as they happen, and the aggregated counts.</summary>
    Development,

    /// <summary>Only the aggregated counts (connections, disconnections, packets and bytes per second).</summary>
    Production,
}
