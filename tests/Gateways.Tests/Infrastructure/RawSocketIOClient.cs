using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Gateways.Tests.Infrastructure;

/// <summary>
/// A deliberately low-level client over one WebSocket: it speaks Engine.IO and Socket.IO frames as raw text, so tests
/// can send exactly the bytes they want (malformed ones included) and see exactly what comes back.
/// </summary>
public sealed class RawSocketIOClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly bool _answerPings;

    private RawSocketIOClient(bool answerPings) => _answerPings = answerPings;

    public JsonElement OpenPacket { get; private set; }

    public WebSocketState State => _socket.State;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    /// <summary>Opens an Engine.IO session over WebSocket and reads the open packet.</summary>
    public static async Task<RawSocketIOClient> ConnectAsync(string baseUrl, bool answerPings = true)
    {
        var client = new RawSocketIOClient(answerPings);
        var uri = new Uri(baseUrl.Replace("http", "ws", StringComparison.Ordinal) + "/socket.io/?EIO=4&transport=websocket");
        await client._socket.ConnectAsync(uri, CancellationToken.None);
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

    public Task SendTextAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    public Task SendBinaryAsync(byte[] data) =>
        _socket.SendAsync(data, WebSocketMessageType.Binary, true, CancellationToken.None);

    /// <summary>Emits <c>echo</c> with an ack and returns the ack's payload text, proving the connection still works.</summary>
    public async Task<string?> EchoAsync(string value, int ackId = 1)
    {
        await SendTextAsync($"42{ackId}[\"echo\",{JsonSerializer.Serialize(value)}]");
        return await ReceiveTextAsync();
    }

    /// <summary>The next text frame (pings answered and skipped when enabled); null when the socket closed.</summary>
    public async Task<string?> ReceiveTextAsync(TimeSpan? timeout = null)
    {
        while (true)
        {
            var (data, type) = await ReceiveAsync(timeout ?? TimeSpan.FromSeconds(10));
            if (type == WebSocketMessageType.Close)
            {
                return null;
            }
            if (type == WebSocketMessageType.Binary)
            {
                throw new InvalidOperationException("Expected a text frame, got a binary one.");
            }
            var text = Encoding.UTF8.GetString(data);
            if (_answerPings && text == "2")
            {
                await SendTextAsync("3");
                continue;
            }
            return text;
        }
    }

    /// <summary>Reads until the server closes the socket; returns false if it did not within the timeout.</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan timeout)
    {
        try
        {
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline)
            {
                var (_, type) = await ReceiveAsync(deadline - DateTime.UtcNow);
                if (type == WebSocketMessageType.Close)
                {
                    return true;
                }
            }
            return false;
        }
        catch (WebSocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return _socket.State is WebSocketState.Aborted or WebSocketState.Closed;
        }
    }

    public async Task<(byte[] Data, WebSocketMessageType Type)> ReceiveAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, cancel.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return ([], WebSocketMessageType.Close);
            }
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (message.ToArray(), result.MessageType);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cancel.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // The server may already be gone; nothing to clean up then.
            }
        }
        _socket.Dispose();
    }
}
