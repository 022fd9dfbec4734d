using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Gateways.EngineIO;

namespace Gateways.Hosting;

/// <summary>Settings of the Socket.IO server. Bound from the <c>Gateways</c> configuration section.</summary>
public sealed class GatewaysOptions
{
    /// <summary>The Engine.IO settings: heartbeat, payload limit, transports, CORS, send queue bound.</summary>
    public EngineIOOptions EngineIO { get; set; } = new();

    /// <summary>How long a client may stay connected without joining any namespace. Default 45 s (socket.io's).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>Whether every <c>[WebSocketGateway]</c> class of the app's own project (the assembly named by
    /// <c>IHostEnvironment.ApplicationName</c>) is served without an <c>AddGateway&lt;T&gt;()</c> call. Default:
    /// on. Off, only the gateways added explicitly are served, and startup warns about each one left out.</summary>
    public bool DiscoverGateways { get; set; } = true;

    /// <summary>Whether the event metrics (<c>gateways.server.events.received</c>, <c>gateways.server.handler.duration</c>)
    /// carry the event name as <c>gateways.event</c>. Off by default: each name is a time series. Only names a handler
    /// declares are used; any other event counts as <c>(unknown)</c>, so a client cannot grow the series.</summary>
    public bool MetricsIncludeEventName { get; set; }

    /// <summary>Whether a client may trace an event: when the event's last argument is exactly
    /// <c>{ traceparent: "00-…" }</c> (W3C Trace Context, with an optional <c>tracestate</c>), that argument is
    /// removed before binding and the event's span becomes its child, so the client's trace goes on through the
    /// handler and across the cluster. Default <see langword="false"/>: otherwise any client could attach our spans to
    /// a trace of its choosing, and an app whose events legitimately end with such an object would lose it.</summary>
    public bool AcceptClientTraceContext { get; set; }

    /// <summary>How many event handlers of one connection may run at once. Events start in arrival order; past this
    /// limit the connection's next message waits, which bounds what a flooding client can start. Default 16.</summary>
    public int MaxConcurrentEventsPerConnection { get; set; } = 16;

    /// <summary>The most binary attachments one packet may announce. Default 10 (socket.io-parser's since 4.2.6).
    /// Their bytes and the packet's text together may not pass <see cref="EngineIOOptions.MaxPayload"/>.</summary>
    public int MaxAttachments { get; set; } = 10;

    /// <summary>How long a binary packet may wait for its attachments; past it the connection is closed, so an
    /// announced but never completed packet cannot hold its buffers. Default 30 s.</summary>
    public TimeSpan BinaryPacketTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Refused CONNECT packets in a row (bad token, refused by a middleware or guard, unknown namespace, over
    /// the rate limit) after which the connection is closed; a successful CONNECT resets the count. 0 never closes.
    /// Default 10.</summary>
    public int MaxRefusedConnects { get; set; } = 10;

    /// <summary>The longest event name accepted; a longer one gets the <c>exception</c> event and is dropped. Default 256.</summary>
    public int MaxEventNameLength { get; set; } = 256;

    /// <summary>The most arguments one event may carry; more get the <c>exception</c> event. Default 64.</summary>
    public int MaxArguments { get; set; } = 64;

    /// <summary>The deepest JSON nesting accepted in an event; deeper gets the <c>exception</c> event. Default 32.</summary>
    public int MaxJsonDepth { get; set; } = 32;

    /// <summary>Add <c>cause: {pattern, data}</c> (the event and its payload) to error payloads, as NestJS's
    /// <c>includeCause</c> does. Default <see langword="true"/>.</summary>
    public bool IncludeErrorCause { get; set; } = true;

    /// <summary>Also answer the client's acknowledgement with the error payload when a handler fails and the client
    /// asked for one (gateways can opt in alone with <c>[WebSocketGateway(AcknowledgeErrors = true)]</c>).
    /// Default <see langword="false"/>, as in NestJS.</summary>
    public bool AcknowledgeErrors { get; set; }

    /// <summary>Join each authenticated socket to the room named by its user id. Default <see langword="true"/>.</summary>
    public bool JoinUserRoom { get; set; } = true;

    /// <summary>Let <c>Join</c> add a socket to another socket's own room (its id) or another user's personal room
    /// (the user id). Off by default: those rooms carry what is meant for one socket or one user, and a client that
    /// names one would read it. With it off, a socket that joined a room before that user connected is removed from
    /// it when the user's first socket arrives. Default <see langword="false"/>.</summary>
    public bool AllowJoiningPrivateRooms { get; set; }

    /// <summary>Per-socket and per-user event rate limits.</summary>
    public GatewaysRateLimitOptions RateLimit { get; set; } = new();

    /// <summary>Connection state recovery (socket.io's <c>connectionStateRecovery</c>): a client that reconnects
    /// within a window keeps its socket id, rooms and items and gets the events it missed. Off by default.</summary>
    public ConnectionStateRecoveryOptions ConnectionStateRecovery { get; set; } = new();

    /// <summary>The Socket.IO parsers clients may use (socket.io's <c>parser</c> option): by default each connection's
    /// first packet tells — a text packet is the default JSON parser, a binary one socket.io-msgpack-parser — so both
    /// kinds of client share one server, its rooms and its broadcasts.</summary>
    public PacketParser Parser { get; set; } = PacketParser.Detect;

    /// <summary>Limits and cleanup of dynamic namespaces (a gateway of <c>/tenant-{id}</c>, or
    /// <c>AddNamespace(Regex, …)</c>).</summary>
    public DynamicNamespaceOptions DynamicNamespaces { get; set; } = new();
}

/// <summary>Which Socket.IO packet encodings a server accepts (see <see cref="GatewaysOptions.Parser"/>).</summary>
public enum PacketParser
{
    /// <summary>Either, decided per connection by its first packet: text for JSON, binary for MessagePack.</summary>
    Detect,

    /// <summary>socket.io's default parser only (JSON text, binary as attachments).</summary>
    Json,

    /// <summary>socket.io-msgpack-parser only (every packet a MessagePack map in a binary message).</summary>
    MessagePack,
}

/// <summary>
/// Dynamic namespaces: a pattern whose every matching name is a child namespace, created when a client connects to it.
/// Clients choose the names they connect to, so children are bounded.
/// </summary>
public sealed class DynamicNamespaceOptions
{
    /// <summary>Whether a child whose last socket left is removed, its adapter disposed (socket.io's
    /// <c>cleanupEmptyChildNamespaces</c>). Default <see langword="false"/> (as socket.io). A child made for a CONNECT
    /// that was refused is removed either way. With connection state recovery in memory, removing a child drops the
    /// sessions it kept.</summary>
    public bool CleanupEmptyChildren { get; set; }

    /// <summary>Children per dynamic namespace on this server. At the limit a child with no sockets is removed to make
    /// room for a new one; when every child has sockets, a CONNECT to a new one is refused <c>Too many namespaces</c>.
    /// Default 10,000.</summary>
    public int MaxChildren { get; set; } = 10_000;

    /// <summary>The longest name a child may have; longer names are unknown namespaces. Default 256.</summary>
    public int MaxNameLength { get; set; } = 256;
}

/// <summary>
/// Connection state recovery, as socket.io 4.6+ defines it: when a socket's connection is lost (not when the client or
/// the server disconnects it on purpose), its session is kept for <see cref="MaxDisconnectionDuration"/>; every event
/// sent without an acknowledgement is stored with an offset the client sees as its last argument; a client that
/// reconnects with its session id and last offset gets its socket back — same id, rooms, items, user — and every
/// stored event it missed. Everything kept is bounded: sessions, packets and their bytes per namespace, the oldest
/// going first (a client whose session or offset is gone simply connects afresh).
/// </summary>
public sealed class ConnectionStateRecoveryOptions
{
    /// <summary>Whether sessions are kept and events stored. Default <see langword="false"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>How long a lost connection's session is kept, and events with it. Default 2 minutes (as socket.io).</summary>
    public TimeSpan MaxDisconnectionDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Whether a recovered socket skips the connect middlewares (authentication included: it keeps the user
    /// it had, and is not recovered once that user's token has expired). Default <see langword="true"/> (as socket.io).</summary>
    public bool SkipMiddlewares { get; set; } = true;

    /// <summary>Sessions kept per namespace; past it the oldest is dropped. Default 10,000.</summary>
    public int MaxSessions { get; set; } = 10_000;

    /// <summary>Events stored per namespace; past it the oldest is dropped. Default 10,000.</summary>
    public int MaxStoredPackets { get; set; } = 10_000;

    /// <summary>Bytes of stored events per namespace (their encoded size); past it the oldest are dropped. Default 16 MB.</summary>
    public long MaxStoredBytes { get; set; } = 16 * 1024 * 1024;
}

/// <summary>What <c>AddNamespace</c> and <c>AddGateway</c> declared; one instance per service collection, kept out
/// of the options so configuration binding never sees it.</summary>
internal sealed class GatewayDeclarations
{
    public Dictionary<string, List<Action<GatewayNamespaceBuilder>>> Namespaces { get; } = new(StringComparer.Ordinal);

    /// <summary>The dynamic namespaces declared with a regular expression, by its text (their key in
    /// <see cref="Namespaces"/>).</summary>
    public Dictionary<string, System.Text.RegularExpressions.Regex> Expressions { get; } = new(StringComparer.Ordinal);

    public List<Dispatch.GatewayDescriptor> Gateways { get; } = [];

    /// <summary>The gateways of the app's own project, found by <c>AddGateways()</c>; served unless
    /// <see cref="GatewaysOptions.DiscoverGateways"/> is off.</summary>
    public List<Dispatch.GatewayDescriptor> DiscoveredGateways { get; } = [];

    /// <summary>Connection middlewares of every namespace, run before the namespace's own (authentication).</summary>
    public List<GatewayConnectionMiddleware> GlobalMiddlewares { get; } = [];

    /// <summary><see cref="IGatewayFilter"/> types run around every handler, first outermost.</summary>
    public List<Type> Filters { get; } = [];

    /// <summary><see cref="IWsExceptionFilter"/> types tried for every handler after its own.</summary>
    public List<Type> ExceptionFilters { get; } = [];

    /// <summary>Run on every namespace's builder (dynamic namespaces' too) after its own configuration: what watches
    /// the whole server, such as the Admin UI, adds its listeners here.</summary>
    public List<Action<GatewayNamespaceBuilder, IServiceProvider>> EveryNamespace { get; } = [];

    /// <summary>Namespaces that authenticate their clients themselves: <see cref="GlobalMiddlewares"/> (the app's JWT
    /// authentication) do not run for them.</summary>
    public HashSet<string> SelfAuthenticated { get; } = new(StringComparer.Ordinal);
}

/// <summary>The JSON settings for event arguments and acknowledgements, kept apart from <see cref="GatewaysOptions"/>
/// because they are set in code, not bound from configuration (like ASP.NET Core's <c>JsonOptions</c>).</summary>
public sealed class GatewaysJsonOptions
{
    /// <summary>Creates the default options.</summary>
    public GatewaysJsonOptions()
    {
        SerializerOptions.TypeInfoResolverChain.Add(Internal.GatewaysJsonContext.Default);
        if (JsonSerializer.IsReflectionEnabledByDefault)
        {
            SerializerOptions.TypeInfoResolverChain.Add(CreateReflectionResolver());
        }
    }

    /// <summary>The serializer options. Insert a <c>JsonSerializerContext</c> into <c>TypeInfoResolverChain</c> to
    /// stay trimming- and Native AOT-safe; where reflection is enabled (not trimmed) any type works. JSON primitives,
    /// <see cref="JsonElement"/> and <see cref="byte"/>[] always work. Default: web defaults (camelCase names,
    /// case-insensitive reads).</summary>
    public JsonSerializerOptions SerializerOptions { get; } = new(JsonSerializerDefaults.Web);

    // Reached only when the app was not trimmed (IsReflectionEnabledByDefault), as ASP.NET Core's JsonOptions does.
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Guarded by JsonSerializer.IsReflectionEnabledByDefault.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Guarded by JsonSerializer.IsReflectionEnabledByDefault.")]
    private static DefaultJsonTypeInfoResolver CreateReflectionResolver() => new();
}

/// <summary>
/// Event rate limits (token buckets from System.Threading.RateLimiting). Per connection they are on by default with
/// generous numbers, so a runaway or hostile client cannot monopolize the server: every namespace of one Engine.IO
/// connection shares its bucket, and CONNECT packets take from it too, so disconnecting and reconnecting a namespace
/// does not refill it. Per user they are off by default, because one user's many tabs would share one budget; turn
/// them on so that opening new connections does not refill a user's budget either.
/// </summary>
public sealed class GatewaysRateLimitOptions
{
    /// <summary>Limit each connection's events. Default <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Events per second a connection may send on average, all its namespaces together. Default 100.</summary>
    public int PermitsPerSecond { get; set; } = 100;

    /// <summary>Events a connection may send at once after a quiet spell. Default 200.</summary>
    public int Burst { get; set; } = 200;

    /// <summary>Refused events (and CONNECT packets) within <see cref="RejectionWindow"/> after which the connection
    /// is closed (sustained abuse); 0 never closes it. Counted over the window, not in a row, so a flood paced just
    /// above the limit is cut off too. Default 100.</summary>
    public int DisconnectAfterRejections { get; set; } = 100;

    /// <summary>The window <see cref="DisconnectAfterRejections"/> counts over. Default 10 s.</summary>
    public TimeSpan RejectionWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Also limit all sockets of one user together. Default <see langword="false"/>.</summary>
    public bool PerUserEnabled { get; set; }

    /// <summary>Events per second one user may send across all sockets. Default 200.</summary>
    public int PerUserPermitsPerSecond { get; set; } = 200;

    /// <summary>Events one user may send at once. Default 400.</summary>
    public int PerUserBurst { get; set; } = 400;
}
