using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using Gateways.EngineIO.Transports;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateways.EngineIO;

/// <summary>
/// The Engine.IO v4 endpoint: validates each request, opens sessions (handshake), routes polling requests and
/// WebSockets to their session, and answers bad requests the way the reference server does.
/// </summary>
public sealed class EngineIOServer
{
    private static readonly JsonEncodedText SidName = JsonEncodedText.Encode("sid");
    private static readonly JsonEncodedText UpgradesName = JsonEncodedText.Encode("upgrades");
    private static readonly JsonEncodedText PingIntervalName = JsonEncodedText.Encode("pingInterval");
    private static readonly JsonEncodedText PingTimeoutName = JsonEncodedText.Encode("pingTimeout");
    private static readonly JsonEncodedText MaxPayloadName = JsonEncodedText.Encode("maxPayload");

    private readonly ConcurrentDictionary<string, EngineIOSession> _sessions = new(StringComparer.Ordinal);
    private readonly IEngineIOApplication _application;
    private readonly EngineIOOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly IEngineIORequestFilter? _requestFilter;
    private readonly EngineIOCors? _cors;
    private readonly Lock _pendingLock = new();
    private readonly Dictionary<string, int> _pendingByAddress = new(StringComparer.Ordinal);
    private int _pendingTotal;

    /// <summary>Creates the endpoint for one application.</summary>
    /// <param name="application">What runs on each session.</param>
    /// <param name="options">The Engine.IO settings.</param>
    /// <param name="timeProvider">The clock for heartbeats and timeouts.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="requestFilter">Accepts or refuses handshakes and upgrades (socket.io's <c>allowRequest</c>), if any.</param>
    /// <exception cref="InvalidOperationException"><see cref="EngineIOCorsOptions.PolicyName"/> is set: a named policy
    /// needs the app's services, which <c>MapEngineIO</c> passes.</exception>
    public EngineIOServer(IEngineIOApplication application, EngineIOOptions options, TimeProvider timeProvider,
        ILogger<EngineIOServer> logger, IEngineIORequestFilter? requestFilter = null)
        : this(application, options, timeProvider, logger, requestFilter,
            EngineIOCors.Create(options.Cors, services: null, NullLoggerFactory.Instance))
    {
    }

    internal EngineIOServer(IEngineIOApplication application, EngineIOOptions options, TimeProvider timeProvider,
        ILogger<EngineIOServer> logger, IEngineIORequestFilter? requestFilter, EngineIOCors? cors)
    {
        _cors = cors;
        _requestFilter = requestFilter;
        _application = application;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The number of open sessions.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>The number of open sessions not yet connected to any namespace.</summary>
    public int PendingSessionCount => Volatile.Read(ref _pendingTotal);

    /// <summary>The settings in force.</summary>
    public EngineIOOptions Options => _options;

    /// <summary>Handles one HTTP request to the Engine.IO path.</summary>
    /// <param name="context">The request.</param>
    public Task HandleRequestAsync(HttpContext context) => RunAdmittedAsync(AdmitAsync(context));

    /// <summary>Runs the WebSocket session a request opened, once the request's own work is over: the checks and
    /// answers run in <see cref="AdmitAsync"/>, which returns before the socket's lifetime begins, so nothing here
    /// keeps the request (on the direct path, its whole <see cref="HttpContext"/>) alive under an idle socket.</summary>
    private static async Task RunAdmittedAsync(Task<Func<Task>?> admission)
    {
        if (await admission is { } run)
        {
            await run();
        }
    }

    /// <summary>Answers the request, or accepts its WebSocket and returns the session to run on it.</summary>
    private async Task<Func<Task>?> AdmitAsync(HttpContext context)
    {
        var request = context.Request;
        if (_cors is not null && await _cors.ApplyAsync(context))
        {
            return null; // A CORS preflight, answered.
        }

        var query = request.Query;
        var transport = query["transport"].ToString();
        var isWebSocket = context.WebSockets.IsWebSocketRequest;
        if (!IsAllowedTransport(transport))
        {
            await RejectAsync(context, EngineIOError.UnknownTransport);
            return null;
        }
        if (query["EIO"].ToString() != "4")
        {
            await RejectAsync(context, EngineIOError.UnsupportedProtocolVersion);
            return null;
        }
        if ((transport == "websocket") != isWebSocket)
        {
            await RejectAsync(context, EngineIOError.BadRequest);
            return null;
        }

        var sid = query["sid"].ToString();
        if ((sid.Length == 0 || isWebSocket) && !await IsAllowedAsync(context, handshake: sid.Length == 0))
        {
            await RejectAsync(context, EngineIOError.Forbidden);
            return null;
        }
        if ((sid.Length == 0 || isWebSocket) && HeadersTooLarge(request))
        {
            // A session keeps its handshake headers for the app: what it may keep is bounded here.
            EngineIOLog.HandshakeRefused(_logger, context.Connection.RemoteIpAddress?.ToString() ?? "-", "headers too large");
            context.Response.StatusCode = StatusCodes.Status431RequestHeaderFieldsTooLarge;
            return null;
        }
        if (sid.Length > 0)
        {
            return await HandleSessionRequestAsync(context, sid, isWebSocket);
        }
        if (!HttpMethods.IsGet(request.Method))
        {
            await RejectAsync(context, EngineIOError.BadHandshakeMethod);
            return null;
        }
        var address = context.Connection.RemoteIpAddress?.ToString() ?? string.Empty;
        if (_application.TracksPendingSessions && TryReservePending(address) is { } refusal)
        {
            EngineIOLog.HandshakeRefused(_logger, address, refusal == StatusCodes.Status429TooManyRequests
                ? "too many sessions from this address have not connected a namespace yet"
                : "too many sessions have not connected a namespace yet");
            context.Response.StatusCode = refusal;
            return null;
        }
        if (isWebSocket)
        {
            WebSocket socket;
            try
            {
                socket = await context.WebSockets.AcceptWebSocketAsync(WebSocketAccept);
            }
            catch
            {
                if (_application.TracksPendingSessions)
                {
                    ReleasePending(address);
                }
                throw;
            }
            var session = Open(context, EngineIOTransportKind.WebSocket, address);
            return () => WebSocketTransport.RunAsync(session, socket);
        }
        var pollingSession = Open(context, EngineIOTransportKind.Polling, address);
        await PollingTransport.HandleGetAsync(pollingSession, context);
        return null;
    }

    private bool HeadersTooLarge(HttpRequest request)
    {
        var limit = _options.MaxHandshakeHeaderBytes;
        if (limit <= 0)
        {
            return false;
        }
        long size = 0;
        foreach (var header in request.Headers)
        {
            size += header.Key.Length;
            foreach (var value in header.Value)
            {
                size += value?.Length ?? 0;
            }
        }
        return size > limit;
    }

    /// <summary>Takes a slot for a session that has not connected a namespace yet; returns the status code to refuse
    /// with when none is left (429 for the address, 503 overall).</summary>
    private int? TryReservePending(string address)
    {
        var perAddress = _options.MaxPendingSessionsPerAddress;
        var total = _options.MaxPendingSessions;
        lock (_pendingLock)
        {
            if (total > 0 && _pendingTotal >= total)
            {
                return StatusCodes.Status503ServiceUnavailable;
            }
            _pendingByAddress.TryGetValue(address, out var count);
            if (perAddress > 0 && count >= perAddress)
            {
                return StatusCodes.Status429TooManyRequests;
            }
            _pendingByAddress[address] = count + 1;
            _pendingTotal++;
            return null;
        }
    }

    /// <summary>Gives back a pending slot: the session connected a namespace or closed.</summary>
    internal void ReleasePending(string address)
    {
        lock (_pendingLock)
        {
            if (!_pendingByAddress.TryGetValue(address, out var count))
            {
                return;
            }
            if (count <= 1)
            {
                _pendingByAddress.Remove(address);
            }
            else
            {
                _pendingByAddress[address] = count - 1;
            }
            _pendingTotal--;
        }
    }

    private async Task<Func<Task>?> HandleSessionRequestAsync(HttpContext context, string sid, bool isWebSocket)
    {
        if (!_sessions.TryGetValue(sid, out var session))
        {
            await RejectAsync(context, EngineIOError.UnknownSid);
            return null;
        }
        if (isWebSocket)
        {
            if (!_options.AllowUpgrades)
            {
                await RejectAsync(context, EngineIOError.BadRequest);
                return null;
            }
            var socket = await context.WebSockets.AcceptWebSocketAsync(WebSocketAccept);
            if (!session.TryBeginUpgrade())
            {
                // A second WebSocket for a session that is upgrading or upgraded: like the reference server, accept
                // the handshake and close it at once, so the client sees a clean close rather than an HTTP error.
                EngineIOLog.UpgradeFailed(_logger, sid, "the session already has a WebSocket");
                await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "Session already upgraded", CancellationToken.None);
                return null;
            }
            return () => WebSocketTransport.RunUpgradeAsync(session, socket, () =>
            {
                // At the upgrade, not when the session ends: the Admin UI shows the socket's new transport now.
                EngineIOLog.Upgraded(_logger, sid);
                (session.Handler as Namespaces.SocketIOConnection)?.OnTransportUpgraded();
            });
        }
        if (session.Transport != EngineIOTransportKind.Polling)
        {
            // The session moved to WebSocket: polling requests with its sid are refused.
            await RejectAsync(context, EngineIOError.BadRequest);
            return null;
        }
        if (HttpMethods.IsGet(context.Request.Method))
        {
            await PollingTransport.HandleGetAsync(session, context);
        }
        else if (HttpMethods.IsPost(context.Request.Method))
        {
            await PollingTransport.HandlePostAsync(session, context);
        }
        else
        {
            await RejectAsync(context, EngineIOError.BadHandshakeMethod);
        }
        return null;
    }

    /// <summary>Creates a session, queues the open packet and lets the application attach its handler.</summary>
    private EngineIOSession Open(HttpContext context, EngineIOTransportKind transport, string pendingAddress)
    {
        var session = new EngineIOSession(NewSessionId(), transport, EngineIOHandshakeRequest.From(context), this,
            _options, _timeProvider, _logger, _application.TracksPendingSessions ? pendingAddress : null);
        _sessions[session.Id] = session;
        session.TrySend(new OutgoingFrame(WriteOpenPacket(session.Id, transport), OutgoingFrameKind.Text));
        EngineIOLog.SessionOpened(_logger, session.Id, session.TransportName);
        session.Start(_application.OnOpen(session));
        return session;
    }

    /// <summary>How many sessions are on long-polling now (a walk over every session: for periodic stats only).</summary>
    internal int CountPollingSessions()
    {
        var count = 0;
        foreach (var session in _sessions.Values)
        {
            if (session.Transport == EngineIOTransportKind.Polling)
            {
                count++;
            }
        }
        return count;
    }

        internal void Remove(EngineIOSession session) => _sessions.TryRemove(new(session.Id, session));

    /// <summary>Closes every session, flushing what is queued; WebSockets close with 1001 (going away). Clients see a
    /// transport close and reconnect by themselves, to this server when it returns or to another instance.</summary>
    public void CloseAll()
    {
        foreach (var session in _sessions.Values)
        {
            session.CloseGracefully("server shutting down", WebSocketCloseStatus.EndpointUnavailable);
        }
    }

    private byte[] WriteOpenPacket(string sid, EngineIOTransportKind transport)
    {
        var buffer = new ArrayBufferWriter<byte>(160);
        buffer.GetSpan(1)[0] = (byte)EngineIOPacketType.Open;
        buffer.Advance(1);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString(SidName, sid);
            json.WriteStartArray(UpgradesName);
            if (transport == EngineIOTransportKind.Polling && _options.AllowUpgrades && _options.AllowWebSocket)
            {
                json.WriteStringValue("websocket"u8);
            }
            json.WriteEndArray();
            json.WriteNumber(PingIntervalName, (long)_options.PingInterval.TotalMilliseconds);
            json.WriteNumber(PingTimeoutName, (long)_options.PingTimeout.TotalMilliseconds);
            json.WriteNumber(MaxPayloadName, _options.MaxPayload);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>No WebSocket-level keep-alive: Engine.IO's own ping/pong already watches the connection, and the
    /// keep-alive would cost a timer per socket.</summary>
    // Engine.IO pings; the WebSocket's own keep-alive stays off. With deflate on, the server keeps no compression
    // context between messages (as engine.io's default asks of clients): less memory per connection.
    private WebSocketAcceptContext WebSocketAccept => _options.PerMessageDeflate.Enabled ? DeflateAccept : PlainAccept;

    private static readonly WebSocketAcceptContext PlainAccept = new() { KeepAliveInterval = TimeSpan.Zero };

    private static readonly WebSocketAcceptContext DeflateAccept = new()
    {
        KeepAliveInterval = TimeSpan.Zero,
        DangerousEnableCompression = true,
        DisableServerContextTakeover = true,
    };

    /// <summary>20 URL-safe characters from 15 random bytes, like the reference server's ids.</summary>
    internal static string NewSessionId() => Internal.RandomIds.Next();

    /// <summary>The origin check, for requests that open a session or a WebSocket, and the app's request filter, for
    /// handshakes only: as in engine.io, an upgrade belongs to a session the filter already let in.</summary>
    private async ValueTask<bool> IsAllowedAsync(HttpContext context, bool handshake)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (_options.AllowedOrigins.Count > 0 && origin.Length > 0
            && !_options.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase))
        {
            EngineIOLog.OriginRefused(_logger, origin);
            return false;
        }
        return !handshake || _requestFilter is null || await _requestFilter.AllowRequestAsync(context);
    }

    private bool IsAllowedTransport(string transport) => transport switch
    {
        "polling" => _options.AllowPolling,
        "websocket" => _options.AllowWebSocket,
        _ => false,
    };

    private Task RejectAsync(HttpContext context, EngineIOError error)
    {
        EngineIOLog.RequestRejected(_logger, context.Request.Path, EngineIOErrors.Message(error));
        return EngineIOErrors.WriteAsync(context, error);
    }
}
