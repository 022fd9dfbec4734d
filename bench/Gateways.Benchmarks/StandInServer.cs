using System.Text;
using Gateways.EngineIO;
using Gateways.Hosting;
using Gateways.Namespaces;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateways.Benchmarks;

/// <summary>
/// The runtime with its sockets cut off: sessions whose transport is a stand-in that "writes" every frame at once (as a
/// WebSocket does when nothing is in flight) and only counts the bytes. What a benchmark measures on it is the runtime's
/// own share of the work, without Kestrel, WebSocket framing or the kernel.
/// </summary>
internal sealed class StandInServer : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly EngineIOServer _engine;
    private readonly EngineIOOptions _options = new() { PingInterval = TimeSpan.FromDays(1) }; // nobody answers pings
    private long _bytesWritten;

    public StandInServer(Action<IGatewaysBuilder>? configure = null)
    {
        var collection = new ServiceCollection();
        collection.AddLogging();
        // The options binding reads configuration, as in a host.
        collection.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        var builder = collection.AddGateways(options => options.RateLimit.Enabled = false);
        configure?.Invoke(builder);
        _services = collection.BuildServiceProvider();
        Server = _services.GetRequiredService<SocketIOServer>();
        _engine = new EngineIOServer(Server, _options, TimeProvider.System, NullLogger<EngineIOServer>.Instance);
        Server.TryGetNamespace("/", out var root);
        Root = root!;
    }

    public SocketIOServer Server { get; }

    public GatewayNamespace Root { get; }

    /// <summary>Everything the stand-in transports have written so far.</summary>
    public long BytesWritten => _bytesWritten;

    /// <summary>Opens a session and connects it to "/" the way a client's CONNECT packet does.</summary>
    public EngineIOSession Connect()
    {
        var session = new EngineIOSession(Guid.NewGuid().ToString("N"), EngineIOTransportKind.WebSocket,
            EngineIOHandshakeRequest.From(new DefaultHttpContext()), _engine, _options, TimeProvider.System,
            NullLogger.Instance);
        session.DirectWriter = new CountingWriter(this, session);
        session.Start(Server.OnOpen(session));
        Receive(session, "40");
        return session;
    }

    /// <summary>Hands the session one text frame, as its transport does for each WebSocket message.</summary>
    public static void Receive(EngineIOSession session, string frame) =>
        Receive(session, Encoding.UTF8.GetBytes(frame));

    public static void Receive(EngineIOSession session, byte[] frame)
    {
        var receiving = session.ReceiveAsync(frame, isBinary: false);
        if (!receiving.IsCompletedSuccessfully || !receiving.Result)
        {
            throw new InvalidOperationException("The session did not take the frame synchronously.");
        }
    }

    public void Dispose() => _services.Dispose();

    /// <summary>The stand-in transport: every frame is written at once, and only counted.</summary>
    private sealed class CountingWriter(StandInServer server, EngineIOSession session) : IDirectFrameWriter
    {
        public bool TryWriteNow(OutgoingFrame frame)
        {
            session.OnFrameSent(frame.Data.Length);
            server._bytesWritten += frame.Data.Length;
            return true;
        }
    }
}
