using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Gateways.Namespaces;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateways.EngineIO.DirectUpgrade;

/// <summary>
/// A Kestrel connection middleware that answers a connection's WebSocket upgrade to the Engine.IO path itself and runs
/// the WebSocket on the connection's pipes, so that Kestrel's HTTP/1.1 connection, its request and the
/// <see cref="HttpContext"/> do not live as long as the socket (over a third of an idle connection's memory).
/// Every other connection — and every connection whose first request is anything else — is handed to Kestrel's HTTP
/// layer untouched. What such a socket skips is the app's HTTP middleware; the Engine.IO server's own checks (origin,
/// request filter, pending-session limits, header limit) and the namespaces' connect middleware still run.
/// </summary>
internal sealed class DirectUpgradeMiddleware
{
    private const string WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"; // RFC 6455, section 1.3

    private readonly ConnectionDelegate _next;
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;
    private readonly int _maxHeadBytes;
    private readonly TimeSpan _headTimeout;
    private Route? _route;

    public DirectUpgradeMiddleware(ConnectionDelegate next, IServiceProvider services)
    {
        _next = next;
        _services = services;
        _logger = services.GetRequiredService<ILogger<DirectUpgradeMiddleware>>();
        var limits = services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
        _maxHeadBytes = limits.MaxRequestLineSize + limits.MaxRequestHeadersTotalSize;
        _headTimeout = limits.RequestHeadersTimeout;
        // Kestrel counts upgraded connections only among its own: with a limit set, every upgrade stays with it.
        _upgradeLimit = limits.MaxConcurrentUpgradedConnections;
    }

    private readonly long? _upgradeLimit;

    /// <summary>The Engine.IO server and its path, looked up once the app has mapped it; Unusable when the endpoint
    /// carries conventions that only the HTTP pipeline enforces.</summary>
    private sealed record Route(EngineIOServer? Engine, string Path)
    {
        public static readonly Route Unusable = new(null, string.Empty);
    }

    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        var route = _route ?? ResolveRoute();
        if (route.Engine is not { } engine)
        {
            await _next(connection);
            return;
        }
        var input = connection.Transport.Input;
        UpgradeRequestHead? head;
        using (var timeout = new CancellationTokenSource(_headTimeout))
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await input.ReadAsync(timeout.Token);
                }
                catch (IOException)
                {
                    return; // Reset before its head was complete: nothing to answer, nothing worth an error in the log.
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested)
                {
                    // Kestrel answers a head this slow the same way, then closes.
                    var response = new HttpResponseFeature { StatusCode = StatusCodes.Status408RequestTimeout };
                    await WriteRefusalAsync(connection.Transport.Output, response, new MemoryStream());
                    return;
                }
                var buffer = result.Buffer;
                var peek = UpgradeRequestHead.Peek(buffer, route.Path, _maxHeadBytes,
                    refuseDeflate: engine.Options.PerMessageDeflate.Enabled, out head, out var headEnd);
                if (peek == UpgradePeek.Ours)
                {
                    input.AdvanceTo(headEnd);
                    break;
                }
                if (peek == UpgradePeek.NotOurs || result.IsCompleted)
                {
                    // Nothing consumed or examined: Kestrel's HTTP layer reads these bytes again, at once.
                    input.AdvanceTo(buffer.Start, buffer.Start);
                    await _next(connection);
                    return;
                }
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        // Handed over, not kept in this frame: after the accept only the session holds anything of the request.
        var exchange = new Exchange(connection, head!, _services.GetRequiredService<IServiceScopeFactory>());
        head = null;
        await RunAsync(connection, exchange, engine);
    }

    private async Task RunAsync(ConnectionContext connection, Exchange exchange, EngineIOServer engine)
    {
        try
        {
            // The context is handed over, not kept here: once the WebSocket is accepted, only the session holds on.
            await engine.HandleRequestAsync(exchange.CreateContext());
        }
        catch (Exception e) when (!exchange.Accepted)
        {
            EngineIOLog.DirectUpgradeFailed(_logger, connection.ConnectionId, e);
            exchange.Fail();
        }
        finally
        {
            await exchange.ReleaseAsync();
        }
        if (exchange.Refusal is { } refusal)
        {
            await WriteRefusalAsync(connection.Transport.Output, refusal.Response, refusal.Body);
        }
    }

    /// <summary>The Engine.IO server's answer when it did not accept the WebSocket (origin refused, too many pending
    /// sessions, a bad query), as an HTTP/1.1 response; the connection closes after it.</summary>
    private static async Task WriteRefusalAsync(PipeWriter output, HttpResponseFeature response, MemoryStream body)
    {
        var head = new StringBuilder()
            .Append("HTTP/1.1 ").Append(response.StatusCode).Append(' ')
            .Append(ReasonPhrases.GetReasonPhrase(response.StatusCode)).Append("\r\n");
        foreach (var (name, values) in response.Headers)
        {
            if (name is not ("Content-Length" or "Connection" or "Transfer-Encoding"))
            {
                foreach (var value in values)
                {
                    head.Append(name).Append(": ").Append(value).Append("\r\n");
                }
            }
        }
        head.Append("Content-Length: ").Append(body.Length).Append("\r\nConnection: close\r\n\r\n");
        output.Write(Encoding.Latin1.GetBytes(head.ToString()));
        output.Write(body.GetBuffer().AsSpan(0, (int)body.Length));
        await output.FlushAsync();
    }

    /// <summary>Finds the Gateways endpoint once the app has built its endpoints. The direct path stays off, with an
    /// error in the log, when the endpoint requires something only the HTTP pipeline would enforce.</summary>
    private Route ResolveRoute()
    {
        if (_upgradeLimit is not null)
        {
            EngineIOLog.DirectUpgradeOff(_logger, "Kestrel's MaxConcurrentUpgradedConnections limit");
            return _route = Route.Unusable;
        }
        var engine = _services.GetService<SocketIOServer>()?.Engine;
        var endpoint = _services.GetService<EndpointDataSource>()?.Endpoints.OfType<RouteEndpoint>()
            .FirstOrDefault(e => e.DisplayName == GatewaysEndpointDisplayName);
        if (engine is null || endpoint?.RoutePattern.RawText is not { } path)
        {
            // MapGateways() has not run yet (or never will): look again on the next connection.
            return Route.Unusable;
        }
        var enforced = endpoint.Metadata.FirstOrDefault(m => m is IAuthorizeData or IHostMetadata or ICorsMetadata
            or EnableRateLimitingAttribute);
        if (enforced is not null)
        {
            EngineIOLog.DirectUpgradeOff(_logger, $"{enforced.GetType().Name} on the Gateways endpoint");
            return _route = Route.Unusable;
        }
        return _route = new Route(engine, "/" + path.Trim('/'));
    }

    /// <summary>The display name <c>MapGateways()</c> gives its endpoint.</summary>
    internal const string GatewaysEndpointDisplayName = "Gateways Socket.IO";

    /// <summary>One upgrade request on the direct path: the <see cref="HttpContext"/> the Engine.IO server sees, and
    /// the WebSocket half of it, which answers 101 on the connection and runs the WebSocket on its pipes. Accepting
    /// lets go of the context, its features and its request services: an idle socket keeps none of them.</summary>
    private sealed class Exchange(ConnectionContext connection, UpgradeRequestHead head, IServiceScopeFactory scopes)
        : IHttpWebSocketFeature
    {
        private UpgradeRequestHead? _head = head;
        private HttpResponseFeature? _response = new();
        private MemoryStream? _body = new();
        private RequestServicesFeature? _requestServices;

        public bool IsWebSocketRequest => true;

        public bool Accepted { get; private set; }

        /// <summary>The answer to write when the server did not accept the WebSocket.</summary>
        public (HttpResponseFeature Response, MemoryStream Body)? Refusal =>
            !Accepted && _response is { } response && _body is { } body ? (response, body) : null;

        public HttpContext CreateContext()
        {
            var head = _head!;
            var features = new FeatureCollection();
            var tls = connection.Features.Get<ITlsHandshakeFeature>() is not null;
            features.Set<IHttpRequestFeature>(new HttpRequestFeature
            {
                Protocol = "HTTP/1.1",
                Scheme = tls ? "https" : "http",
                Method = HttpMethods.Get,
                PathBase = string.Empty,
                Path = head.Path,
                QueryString = head.QueryString,
                RawTarget = head.Target,
                Headers = head.Headers,
            });
            features.Set<IHttpResponseFeature>(_response);
            features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(_body!));
            var remote = connection.RemoteEndPoint as IPEndPoint;
            var local = connection.LocalEndPoint as IPEndPoint;
            features.Set<IHttpConnectionFeature>(new HttpConnectionFeature
            {
                ConnectionId = connection.ConnectionId,
                RemoteIpAddress = remote?.Address,
                RemotePort = remote?.Port ?? 0,
                LocalIpAddress = local?.Address,
                LocalPort = local?.Port ?? 0,
            });
            features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature { RequestAborted = connection.ConnectionClosed });
            features.Set<IHttpWebSocketFeature>(this);
            var context = new DefaultHttpContext(features);
            _requestServices = new RequestServicesFeature(context, scopes);
            features.Set<IServiceProvidersFeature>(_requestServices);
            return context;
        }

        /// <summary>The server failed before accepting: the answer becomes a bare 500.</summary>
        public void Fail()
        {
            _response = new HttpResponseFeature { StatusCode = StatusCodes.Status500InternalServerError };
            _body = new MemoryStream();
        }

        public async ValueTask ReleaseAsync()
        {
            var requestServices = _requestServices;
            _requestServices = null;
            if (requestServices is not null)
            {
                await requestServices.DisposeAsync();
            }
        }

        public async Task<WebSocket> AcceptAsync(WebSocketAcceptContext context)
        {
            if (Accepted || _response is not { } response)
            {
                throw new InvalidOperationException("The WebSocket was already accepted.");
            }
            Accepted = true;
            var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(_head!.Key + WebSocketGuid)));
            var answer = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n")
                .Append("Sec-WebSocket-Accept: ").Append(accept).Append("\r\n");
            if (context.SubProtocol is { } subProtocol)
            {
                answer.Append("Sec-WebSocket-Protocol: ").Append(subProtocol).Append("\r\n");
            }
            foreach (var (name, values) in response.Headers)
            {
                foreach (var value in values)
                {
                    answer.Append(name).Append(": ").Append(value).Append("\r\n");
                }
            }
            // From here the request is over: nothing of it stays reachable from the socket.
            _response = null;
            _body = null;
            _head = null;
            await ReleaseAsync();
            var output = connection.Transport.Output;
            output.Write(Encoding.Latin1.GetBytes(answer.Append("\r\n").ToString()));
            await output.FlushAsync();
            return WebSocket.CreateFromStream(new DuplexPipeStream(connection.Transport), new WebSocketCreationOptions
            {
                IsServer = true,
                SubProtocol = context.SubProtocol,
                KeepAliveInterval = context.KeepAliveInterval ?? TimeSpan.Zero,
            });
        }
    }
}
