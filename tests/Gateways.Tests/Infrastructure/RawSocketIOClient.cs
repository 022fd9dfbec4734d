using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Gateways.Tests.Infrastructure;

/// <summary>
/// A deliberately low-level client over one WebSocket: it speaks Engine.IO and Socket.IO frames as raw text, so tests
/// can send exactly the bytes they want (malformed ones included) and see exactly what comes back. A background
/// reader answers pings at once (unless told not to), so a healthy client stays alive while a test waits.
/// </summary>
public sealed class RawSocketIOClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly bool _answerPings;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Channel<(byte[] Data, WebSocketMessageType Type)> _incoming =
        Channel.CreateUnbounded<(byte[], WebSocketMessageType)>();
    private Task? _reader;

    private RawSocketIOClient(bool answerPings) => _answerPings = answerPings;

    public JsonElement OpenPacket { get; private set; }

    public WebSocketState State => _socket.State;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    /// <summary>Opens an Engine.IO session over WebSocket and reads the open packet.</summary>
    /// <param name="baseUrl">The server, such as <c>http://127.0.0.1:5000</c>.</param>
    /// <param name="answerPings">Answer the server's pings at once.</param>
    /// <param name="query">Extra query parameters for the handshake URL, such as <c>token=…</c>.</param>
    /// <param name="headers">Extra headers for the WebSocket handshake.</param>
    public static async Task<RawSocketIOClient> ConnectAsync(string baseUrl, bool answerPings = true, string? query = null,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        var client = new RawSocketIOClient(answerPings);
        var uri = new Uri(baseUrl.Replace("http", "ws", StringComparison.Ordinal) + "/socket.io/?EIO=4&transport=websocket"
            + (query is null ? "" : "&" + query));
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            client._socket.Options.SetRequestHeader(name, value);
        }
        await client._socket.ConnectAsync(uri, CancellationToken.None);
        client._reader = client.ReadLoopAsync();
        var open = await client.ReceiveTextAsync();
        if (open is null || open[0] != '0')
        {
            throw new InvalidOperationException($"Expected the open packet, got '{open}'.");
        }
        client.OpenPacket = JsonElement.Parse(open[1..]);
        return client;
    }

    /// <summary>Opens a session and connects to a namespace; returns once the CONNECT answer arrived.</summary>
    public static async Task<RawSocketIOClient> ConnectSocketIOAsync(string baseUrl)
    {
        var client = await ConnectAsync(baseUrl);
        await client.SendTextAsync("40");
        var answer = await client.ReceiveTextAsync();
        if (answer is null || !answer.StartsWith("40{", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Expected the CONNECT answer, got '{answer}'.");
        }
        return client;
    }

    public Task SendTextAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public Task SendBinaryAsync(byte[] data) => SendAsync(data, WebSocketMessageType.Binary);

    private async Task SendAsync(byte[] data, WebSocketMessageType type)
    {
        await _sendLock.WaitAsync();
        try
        {
            await _socket.SendAsync(data, type, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }
                var data = message.ToArray();
                message.SetLength(0);
                if (_answerPings && result.MessageType == WebSocketMessageType.Text && data is [(byte)'2'])
                {
                    await SendTextAsync("3");
                    continue;
                }
                _incoming.Writer.TryWrite((data, result.MessageType));
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // A reset counts as a close for the tests.
        }
        _incoming.Writer.TryWrite(([], WebSocketMessageType.Close));
        _incoming.Writer.TryComplete();
    }

    /// <summary>Emits <c>echo</c> with an ack and returns the ack's payload text, proving the connection still works.</summary>
    public async Task<string?> EchoAsync(string value, int ackId = 1)
    {
        await SendTextAsync($"42{ackId}[\"echo\",{JsonSerializer.Serialize(value)}]");
        return await ReceiveTextAsync();
    }

    /// <summary>The next text frame; null when the socket closed.</summary>
    public async Task<string?> ReceiveTextAsync(TimeSpan? timeout = null)
    {
        var (data, type) = await ReceiveAsync(timeout ?? TimeSpan.FromSeconds(10));
        return type switch
        {
            WebSocketMessageType.Close => null,
            WebSocketMessageType.Binary => throw new InvalidOperationException("Expected a text frame, got a binary one."),
            _ => Encoding.UTF8.GetString(data),
        };
    }

    /// <summary>The next text frame; null when the socket closed or nothing came within the timeout.</summary>
    public async Task<string?> TryReceiveTextAsync(TimeSpan timeout)
    {
        try
        {
            return await ReceiveTextAsync(timeout);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Reads until the server closes the socket; returns false if it did not within the timeout.</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan timeout)
    {
        try
        {
            while (true)
            {
                var (_, type) = await ReceiveAsync(timeout);
                if (type == WebSocketMessageType.Close)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async Task<(byte[] Data, WebSocketMessageType Type)> ReceiveAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        if (await _incoming.Reader.WaitToReadAsync(cancel.Token) && _incoming.Reader.TryRead(out var item))
        {
            return item;
        }
        return ([], WebSocketMessageType.Close);
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancel.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // The server may already be gone; nothing to clean up then.
            }
        }
        _socket.Dispose();
        if (_reader is not null)
        {
            await _reader;
        }
    }
}
