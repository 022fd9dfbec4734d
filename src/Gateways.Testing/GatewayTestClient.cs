using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Gateways.SocketIO;
using Microsoft.AspNetCore.TestHost;

namespace Gateways.Testing;

/// <summary>
/// A Socket.IO v5 client over Engine.IO v4 (WebSocket transport) for tests, built on the runtime's own packet codec.
/// It connects in-process to a <see cref="TestServer"/> (no port) or to a URL (Kestrel on loopback) with the same API,
/// records every event it receives, and answers pings by itself.
/// </summary>
public sealed class GatewayTestClient : IAsyncDisposable
{
    private readonly WebSocket _socket;
    private readonly GatewayTestClientOptions _options;
    private readonly NamespaceNameTable _names = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly List<ReceivedEvent> _log = [];
    private readonly Dictionary<long, TaskCompletionSource<EventArguments>> _acks = [];
    private readonly Dictionary<string, Func<EventArguments, object?>> _handlers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Action<EventArguments>>> _listeners = new(StringComparer.Ordinal);
    private readonly Channel<string> _control = Channel.CreateUnbounded<string>();
    private readonly CancellationTokenSource _closed = new();
    private Task? _reader;
    private long _nextAckId;
    private SocketIOPacket? _binaryPacket;
    private List<ReadOnlyMemory<byte>>? _attachments;

    private GatewayTestClient(WebSocket socket, GatewayTestClientOptions options)
    {
        _socket = socket;
        _options = options;
        _names.Add(options.Namespace);
    }

    /// <summary>The socket id the server assigned.</summary>
    public string Id { get; private set; } = "";

    /// <summary>Whether the namespace connection is up.</summary>
    public bool Connected => !_closed.IsCancellationRequested && _socket.State == WebSocketState.Open;

    /// <summary>Every event received so far, in order.</summary>
    public IReadOnlyList<ReceivedEvent> Events
    {
        get
        {
            lock (_log)
            {
                return [.. _log];
            }
        }
    }

    /// <summary>Why the server disconnected this client (<c>io server disconnect</c>, <c>transport close</c>), once it has.</summary>
    public string? DisconnectReason { get; private set; }

    /// <summary>Connects in-process to a test server (for example <c>WebApplicationFactory&lt;T&gt;.Server</c>).</summary>
    /// <param name="server">The test server.</param>
    /// <param name="options">Namespace, auth, timeouts.</param>
    public static async Task<GatewayTestClient> ConnectAsync(TestServer server, GatewayTestClientOptions? options = null)
    {
        options ??= new GatewayTestClientOptions();
        var socket = await server.CreateWebSocketClient().ConnectAsync(BuildUri(new Uri("ws://localhost"), options), CancellationToken.None);
        return await StartAsync(socket, options);
    }

    /// <summary>Connects to a running server, such as Kestrel on loopback.</summary>
    /// <param name="baseUrl">The server's base URL, such as <c>http://127.0.0.1:3001</c>.</param>
    /// <param name="options">Namespace, auth, timeouts.</param>
    public static async Task<GatewayTestClient> ConnectAsync(Uri baseUrl, GatewayTestClientOptions? options = null)
    {
        options ??= new GatewayTestClientOptions();
        var socket = new ClientWebSocket();
        foreach (var (name, value) in options.Headers)
        {
            socket.Options.SetRequestHeader(name, value);
        }
        var ws = new UriBuilder(baseUrl) { Scheme = baseUrl.Scheme == "https" ? "wss" : "ws" }.Uri;
        await socket.ConnectAsync(BuildUri(ws, options), CancellationToken.None);
        return await StartAsync(socket, options);
    }

    private static Uri BuildUri(Uri baseUrl, GatewayTestClientOptions options)
    {
        var query = "EIO=4&transport=websocket" + string.Concat(options.Query.Select(q => $"&{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value)}"));
        return new Uri(baseUrl, $"{options.Path.TrimEnd('/')}/?{query}");
    }

    private static async Task<GatewayTestClient> StartAsync(WebSocket socket, GatewayTestClientOptions options)
    {
        var client = new GatewayTestClient(socket, options);
        client._reader = client.ReadLoopAsync();
        try
        {
            var open = await client.NextControlAsync();
            if (!open.StartsWith('0'))
            {
                throw new InvalidOperationException($"Expected the Engine.IO open packet, got '{open}'.");
            }
            object? authPayload = options.Auth ?? (options.Token is null ? null : new Dictionary<string, string> { ["token"] = options.Token });
            var auth = authPayload is null ? "" : JsonSerializer.Serialize(authPayload, authPayload.GetType(), options.SerializerOptions);
            var prefix = options.Namespace == "/" ? "" : options.Namespace + ",";
            await client.SendTextAsync($"40{prefix}{auth}");
            var answer = await client.NextControlAsync();
            // "40[/nsp,]{"sid":…}" or "44[/nsp,]{"message":…}": the Engine.IO message type, then the Socket.IO one.
            if (answer.StartsWith("44", StringComparison.Ordinal))
            {
                var error = JsonElement.Parse(answer[(2 + prefix.Length)..]);
                throw new GatewayConnectException(error.GetProperty("message").GetString() ?? "", error.TryGetProperty("data", out var data) ? data : null);
            }
            client.Id = JsonElement.Parse(answer[(2 + prefix.Length)..]).GetProperty("sid").GetString()!;
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Answers the server's <c>EmitWithAckAsync</c> for <paramref name="eventName"/> with the handler's result.</summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="handler">Receives the arguments; its result is the acknowledgement.</param>
    public void On(string eventName, Func<EventArguments, object?> handler)
    {
        lock (_handlers)
        {
            _handlers[eventName] = handler;
        }
    }

    /// <summary>Calls <paramref name="listener"/> with every <paramref name="eventName"/> event from now on (on the
    /// client's receive loop: keep it short), besides recording it for <see cref="WaitForAsync(string, Func{EventArguments, bool}?, TimeSpan?)"/>.</summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="listener">Receives the arguments.</param>
    /// <returns>Disposing it stops the calls.</returns>
    public IDisposable Subscribe(string eventName, Action<EventArguments> listener)
    {
        ArgumentNullException.ThrowIfNull(eventName);
        ArgumentNullException.ThrowIfNull(listener);
        lock (_listeners)
        {
            if (!_listeners.TryGetValue(eventName, out var list))
            {
                _listeners[eventName] = list = [];
            }
            list.Add(listener);
        }
        return new Subscription(this, eventName, listener);
    }

    private sealed class Subscription(GatewayTestClient client, string eventName, Action<EventArguments> listener) : IDisposable
    {
        public void Dispose()
        {
            lock (client._listeners)
            {
                if (client._listeners.TryGetValue(eventName, out var list))
                {
                    list.Remove(listener);
                }
            }
        }
    }

    /// <summary>Emits an event without waiting for anything.</summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="args">The arguments; <see cref="byte"/>[] travel as binary attachments.</param>
    public Task EmitAsync(string eventName, params object?[] args) =>
        SendAsync(SocketIOPacketWriter.WriteEvent(_options.Namespace, eventName, args, -1, _options.SerializerOptions));

    /// <summary>Emits an event and waits for the server's acknowledgement.</summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>The acknowledgement's arguments.</returns>
    /// <exception cref="TimeoutException">No acknowledgement within <see cref="GatewayTestClientOptions.Timeout"/>.</exception>
    public async Task<EventArguments> EmitWithAckAsync(string eventName, params object?[] args)
    {
        var id = Interlocked.Increment(ref _nextAckId);
        var answer = new TaskCompletionSource<EventArguments>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_acks)
        {
            _acks[id] = answer;
        }
        await SendAsync(SocketIOPacketWriter.WriteEvent(_options.Namespace, eventName, args, id, _options.SerializerOptions));
        try
        {
            return await answer.Task.WaitAsync(_options.Timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The server did not acknowledge '{eventName}' within {_options.Timeout.TotalMilliseconds} ms.");
        }
    }

    /// <summary>Emits an event and returns the acknowledgement's first argument as <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The type to bind to.</typeparam>
    /// <param name="eventName">The event name.</param>
    /// <param name="args">The arguments.</param>
    public async Task<T?> EmitWithAckAsync<T>(string eventName, params object?[] args) =>
        (await EmitWithAckAsync(eventName, args)).Get<T>(0);

    /// <summary>The next received <paramref name="eventName"/> event not returned before, that matches
    /// <paramref name="predicate"/>. Events that arrived before the call count: the client reads its recorded log.</summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="predicate">An optional filter on the arguments.</param>
    /// <param name="timeout">How long to wait; <see cref="GatewayTestClientOptions.Timeout"/> by default.</param>
    /// <exception cref="TimeoutException">No matching event in time.</exception>
    public async Task<EventArguments> WaitForAsync(string eventName, Func<EventArguments, bool>? predicate = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? _options.Timeout);
        while (true)
        {
            Task changed;
            lock (_log)
            {
                foreach (var received in _log)
                {
                    if (!received.Consumed && received.Name == eventName && (predicate is null || predicate(received.Arguments)))
                    {
                        received.Consumed = true;
                        return received.Arguments;
                    }
                }
                changed = _logChanged.Task;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || await Task.WhenAny(changed, Task.Delay(left)) != changed)
            {
                throw new TimeoutException($"No '{eventName}' event arrived within {(timeout ?? _options.Timeout).TotalMilliseconds} ms; received: " +
                    string.Join(", ", Events.Select(e => e.Name)) + ".");
            }
        }
    }

    /// <summary>The next received event of type <paramref name="eventName"/>, its first argument as <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The type to bind to.</typeparam>
    /// <param name="eventName">The event name.</param>
    /// <param name="timeout">How long to wait.</param>
    public async Task<T?> WaitForAsync<T>(string eventName, TimeSpan? timeout = null) =>
        (await WaitForAsync(eventName, null, timeout)).Get<T>(0);

    /// <summary>Waits until the server closes or disconnects this client.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>Whether it did.</returns>
    public async Task<bool> WaitForDisconnectAsync(TimeSpan? timeout = null)
    {
        try
        {
            await Task.Delay(timeout ?? _options.Timeout, _closed.Token);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    /// <summary>Leaves the namespace and closes the connection.</summary>
    public async Task DisconnectAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                await SendTextAsync(_options.Namespace == "/" ? "41" : $"41{_options.Namespace},");
                using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancel.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
            {
                // Already gone.
            }
        }
        _closed.Cancel();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await DisconnectAsync();
        _socket.Abort();
        if (_reader is not null)
        {
            await _reader;
        }
        _socket.Dispose();
    }

    private TaskCompletionSource _logChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    DisconnectReason ??= "transport close";
                    break;
                }
                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }
                var frame = message.ToArray();
                message.SetLength(0);
                await OnFrameAsync(frame, result.MessageType == WebSocketMessageType.Binary);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            DisconnectReason ??= "transport error";
        }
        _control.Writer.TryComplete();
        _closed.Cancel();
        lock (_log)
        {
            _logChanged.TrySetResult();
        }
    }

    private async Task OnFrameAsync(byte[] frame, bool isBinary)
    {
        if (isBinary)
        {
            _attachments?.Add(frame);
            if (_binaryPacket is { } pending && _attachments!.Count == pending.AttachmentCount)
            {
                var attachments = _attachments;
                _binaryPacket = null;
                _attachments = null;
                await OnPacketAsync(pending, attachments);
            }
            return;
        }
        var text = Encoding.UTF8.GetString(frame);
        if (text == "2")
        {
            if (_options.AnswerPings)
            {
                await SendTextAsync("3");
            }
            return;
        }
        if (text.Length == 0 || text[0] != '4' || text.StartsWith("40", StringComparison.Ordinal) || text.StartsWith("44", StringComparison.Ordinal))
        {
            // The open packet, CONNECT and CONNECT_ERROR answers go to the connect sequence.
            _control.Writer.TryWrite(text);
            return;
        }
        if (!SocketIOPacketParser.TryParse(frame.AsMemory(1), _names, out var packet, out var error))
        {
            throw new InvalidDataException($"The server sent an invalid packet ({error}): {text}");
        }
        if (packet.AttachmentCount > 0)
        {
            _binaryPacket = packet;
            _attachments = new List<ReadOnlyMemory<byte>>(packet.AttachmentCount);
            return;
        }
        await OnPacketAsync(packet, []);
    }

    private async Task OnPacketAsync(SocketIOPacket packet, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        switch (packet.Type)
        {
            case SocketIOPacketType.Event or SocketIOPacketType.BinaryEvent:
                var name = packet.Layout.EventName!;
                var arguments = SocketIOPayloadReader.Bind(packet.Payload, packet.Layout, attachments, _options.SerializerOptions);
                Func<EventArguments, object?>? handler;
                lock (_handlers)
                {
                    _handlers.TryGetValue(name, out handler);
                }
                if (packet.HasAckId && handler is not null)
                {
                    await SendAsync(SocketIOPacketWriter.WriteAck(_options.Namespace, packet.AckId, [handler(arguments)], _options.SerializerOptions));
                }
                Action<EventArguments>[] listeners;
                lock (_listeners)
                {
                    listeners = _listeners.TryGetValue(name, out var found) ? [.. found] : [];
                }
                foreach (var listener in listeners)
                {
                    listener(arguments);
                }
                lock (_log)
                {
                    _log.Add(new ReceivedEvent(name, arguments));
                    var changed = _logChanged;
                    _logChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    changed.TrySetResult();
                }
                break;
            case SocketIOPacketType.Ack or SocketIOPacketType.BinaryAck:
                var answer = SocketIOPayloadReader.Bind(packet.Payload, packet.Layout, attachments, _options.SerializerOptions);
                TaskCompletionSource<EventArguments>? pending;
                lock (_acks)
                {
                    _acks.Remove(packet.AckId, out pending);
                }
                pending?.TrySetResult(answer);
                break;
            case SocketIOPacketType.Disconnect:
                DisconnectReason = "io server disconnect";
                _closed.Cancel();
                break;
        }
    }

    private async Task<string> NextControlAsync()
    {
        using var timeout = new CancellationTokenSource(_options.Timeout);
        try
        {
            return await _control.Reader.ReadAsync(timeout.Token);
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException("The server closed the connection during the handshake.");
        }
    }

    private async Task SendAsync(EncodedPacket packet)
    {
        await _sendLock.WaitAsync();
        try
        {
            await _socket.SendAsync(packet.Text, WebSocketMessageType.Text, true, CancellationToken.None);
            foreach (var attachment in packet.Attachments ?? [])
            {
                await _socket.SendAsync(attachment, WebSocketMessageType.Binary, true, CancellationToken.None);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task SendTextAsync(string text)
    {
        await _sendLock.WaitAsync();
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }
}

/// <summary>One event the test client received.</summary>
/// <param name="Name">The event name.</param>
/// <param name="Arguments">Its arguments.</param>
public sealed record ReceivedEvent(string Name, EventArguments Arguments)
{
    internal bool Consumed { get; set; }
}

/// <summary>The server refused the namespace connection (CONNECT_ERROR), as socket.io-client's <c>connect_error</c>.</summary>
/// <param name="message">The refusal message, such as <c>Unauthorized</c>.</param>
/// <param name="data">The refusal's extra data, if any.</param>
public sealed class GatewayConnectException(string message, JsonElement? data) : Exception(message)
{
    /// <summary>The refusal's extra data (<c>err.data</c>), if any.</summary>
    public JsonElement? ErrorData { get; } = data;
}
