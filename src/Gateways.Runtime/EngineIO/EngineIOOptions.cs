namespace Gateways.EngineIO;

/// <summary>Settings of the Engine.IO layer: heartbeat, payload limits, transports and CORS.</summary>
/// <remarks>Bound from the <c>Gateways:EngineIO</c> configuration section by <c>AddGateways()</c>.</remarks>
public sealed class EngineIOOptions
{
    /// <summary>How often the server pings each client. Default 25 s (socket.io's default).</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>How long the server waits for the pong before it closes the session. Default 20 s.</summary>
    public TimeSpan PingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The largest message or polling body a client may send, in bytes; larger ones close the session.
    /// Sent to clients in the handshake as <c>maxPayload</c>. Default 1,000,000 (socket.io's <c>maxHttpBufferSize</c>).</summary>
    public int MaxPayload { get; set; } = 1_000_000;

    /// <summary>How long a WebSocket may take to complete the upgrade of a polling session. Default 10 s.</summary>
    public TimeSpan UpgradeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The most bytes that may wait in one session's send queue. A client that stops reading is
    /// disconnected once its queue passes this, so it cannot grow server memory without end. Default 4 MiB.</summary>
    public long MaxBufferedBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>The most sessions that may wait, opened but not yet connected to any namespace, from one remote
    /// address. Past it a handshake gets 429. Behind a reverse proxy, apply ASP.NET Core's forwarded headers so the
    /// address is the client's. 0 turns the cap off. Default 64.</summary>
    public int MaxPendingSessionsPerAddress { get; set; } = 64;

    /// <summary>The most sessions that may wait, opened but not yet connected to any namespace, in total. Past it a
    /// handshake gets 503. 0 turns the cap off. Default 10,000.</summary>
    public int MaxPendingSessions { get; set; } = 10_000;

    /// <summary>The most bytes of request headers (names and values) a handshake or WebSocket upgrade may carry;
    /// larger ones get 431 and open nothing, since a session keeps its handshake headers for the app to read. 0 turns
    /// the check off (Kestrel's own 32 KB limit still applies). Default 16 KB (Node's <c>maxHeaderSize</c>).</summary>
    public int MaxHandshakeHeaderBytes { get; set; } = 16 * 1024;

    /// <summary>Whether clients may open sessions with HTTP long-polling. Default <see langword="true"/>.</summary>
    public bool AllowPolling { get; set; } = true;

    /// <summary>Whether clients may use WebSocket, directly or by upgrading. Default <see langword="true"/>.</summary>
    public bool AllowWebSocket { get; set; } = true;

    /// <summary>Whether polling sessions may upgrade to WebSocket. Default <see langword="true"/>.</summary>
    public bool AllowUpgrades { get; set; } = true;

    /// <summary>Origins allowed to open sessions, such as <c>https://app.example.com</c>. When not empty, a handshake or
    /// WebSocket upgrade whose <c>Origin</c> header names another origin is refused with 403 — the defence against
    /// cross-site WebSocket hijacking, which CORS does not give. Requests without an <c>Origin</c> (non-browser clients)
    /// pass. Empty (the default): any origin.</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>Cross-origin settings for the HTTP long-polling requests.</summary>
    public EngineIOCorsOptions Cors { get; set; } = new();

    /// <summary>WebSocket per-message compression (RFC 7692), engine.io's <c>perMessageDeflate</c>. Off by default,
    /// as in engine.io: it costs CPU and a compression context per connection.</summary>
    public EngineIOPerMessageDeflateOptions PerMessageDeflate { get; set; } = new();

    /// <summary>gzip or deflate of long-polling responses for clients that accept it (engine.io's
    /// <c>httpCompression</c>, on by default as there).</summary>
    public EngineIOHttpCompressionOptions HttpCompression { get; set; } = new();
}

/// <summary>Compression of long-polling responses (engine.io's <c>httpCompression</c>): a payload of at least
/// <see cref="Threshold"/> bytes goes out gzip- or deflate-encoded when the request's <c>Accept-Encoding</c> allows.</summary>
public sealed class EngineIOHttpCompressionOptions
{
    /// <summary>Whether to compress. Default <see langword="true"/>, as in engine.io.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Payloads smaller than this go uncompressed. Default 1024 bytes, as in engine.io.</summary>
    public int Threshold { get; set; } = 1024;
}

/// <summary>WebSocket per-message deflate (RFC 7692): negotiated with clients that offer it (socket.io-client in
/// Node does; browsers do), used for messages of at least <see cref="Threshold"/> bytes.</summary>
public sealed class EngineIOPerMessageDeflateOptions
{
    /// <summary>Whether to accept a client's <c>permessage-deflate</c> offer. Default <see langword="false"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>Messages smaller than this go uncompressed (engine.io's default, 1024 bytes): small frames gain little
    /// and cost the most CPU per byte.</summary>
    public int Threshold { get; set; } = 1024;
}

/// <summary>Cross-origin (CORS) settings for the long-polling endpoint, applied by ASP.NET Core's CORS service.</summary>
/// <remarks>Browsers do not apply CORS to WebSocket; the origin of WebSocket handshakes is checked by
/// <see cref="EngineIOOptions.AllowedOrigins"/> instead. Either list origins here or name an app policy in
/// <see cref="PolicyName"/>, not both.</remarks>
public sealed class EngineIOCorsOptions
{
    /// <summary>Origins allowed to call the endpoint, such as <c>https://app.example.com</c>; <c>*</c> allows any.
    /// Empty (the default): no CORS headers, so browsers allow same-origin pages only. Allowed origins get the
    /// methods Node's <c>cors</c> package allows by default and any request header they ask for.</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>Whether to allow credentials (cookies) from the allowed origins. Never together with <c>*</c>: the
    /// app then fails at startup. Default <see langword="false"/>.</summary>
    public bool AllowCredentials { get; set; }

    /// <summary>The name of a policy the app registered with
    /// <c>builder.Services.AddCors(o =&gt; o.AddPolicy(name, ...))</c>, for what the two settings above cannot say
    /// (origin predicates, exposed headers, preflight max age). Default <see langword="null"/>: the settings above.
    /// A name no policy has fails at startup.</summary>
    public string? PolicyName { get; set; }

    /// <summary>Why these settings are refused, or <see langword="null"/> when they are not.</summary>
    internal string? Problem()
    {
        if (PolicyName is not null && (AllowedOrigins.Count > 0 || AllowCredentials))
        {
            return $"Gateways:EngineIO:Cors names the CORS policy '{PolicyName}' and also sets AllowedOrigins or " +
                "AllowCredentials. Say it in one place: in the policy, or in these two settings without PolicyName.";
        }
        if (AllowCredentials && AllowedOrigins.Contains("*"))
        {
            // As ASP.NET Core's CorsPolicyBuilder: '*' with credentials would reflect any origin with credentials.
            return "Gateways:EngineIO:Cors allows any origin ('*') together with AllowCredentials = true, which " +
                "would let every website make credentialed requests as your users. List the origins that may send " +
                "credentials in AllowedOrigins instead of '*', or set AllowCredentials to false.";
        }
        return null;
    }
}
