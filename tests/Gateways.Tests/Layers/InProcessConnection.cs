using System.Collections.Concurrent;
using System.Text;
using Gateways.EngineIO;
using Gateways.Hosting;
using Gateways.Namespaces;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateways.Tests.Layers;

/// <summary>
/// One connection to the real Socket.IO layers with no transport under it: frames go in through the session as a
/// WebSocket would hand them over, and what the session writes is recorded. The clock is fake, so rate budgets and
/// timeouts only move when a test says so.
/// </summary>
internal sealed class InProcessConnection : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly ConcurrentQueue<string> _written = new();

    public InProcessConnection(Action<IGatewaysBuilder> configure, Action<GatewaysOptions>? options = null)
    {
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        collection.AddSingleton<TimeProvider>(Clock);
        configure(collection.AddGateways(options));
        _services = collection.BuildServiceProvider();
        var server = _services.GetRequiredService<SocketIOServer>();
        var engineOptions = new EngineIOOptions { PingInterval = TimeSpan.FromDays(1) }; // nobody answers pings
        var engine = new EngineIOServer(server, engineOptions, Clock, NullLogger<EngineIOServer>.Instance);
        Session = new EngineIOSession("in-process", EngineIOTransportKind.WebSocket,
            EngineIOHandshakeRequest.From(new DefaultHttpContext()), engine, engineOptions, Clock, NullLogger.Instance);
        Session.DirectWriter = new RecordingWriter(this);
        Session.Start(server.OnOpen(Session));
    }

    public FakeTimeProvider Clock { get; } = new();

    public EngineIOSession Session { get; }

    /// <summary>Hands the session one text frame; completes when the connection's read loop would read the next.</summary>
    public ValueTask<bool> ReceiveAsync(string frame) => Session.ReceiveAsync(Encoding.UTF8.GetBytes(frame), isBinary: false);

    /// <summary>The text frames written so far whose Socket.IO packet starts with <paramref name="prefix"/>
    /// (the Engine.IO <c>4</c> left out).</summary>
    public string[] Written(string prefix = "") =>
        [.. _written.Where(f => f.StartsWith('4') && f.AsSpan(1).StartsWith(prefix)).Select(f => f[1..])];

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private sealed class RecordingWriter(InProcessConnection connection) : IDirectFrameWriter
    {
        public bool TryWriteNow(OutgoingFrame frame)
        {
            if (frame.Kind == OutgoingFrameKind.Text)
            {
                connection._written.Enqueue(Encoding.UTF8.GetString(frame.Data.Span));
            }
            connection.Session.OnFrameSent(frame.Data.Length);
            return true;
        }
    }
}
