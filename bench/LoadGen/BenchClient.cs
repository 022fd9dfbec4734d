using System.Text;

namespace LoadGen;

/// <summary>The two wire protocols the targets speak.</summary>
internal enum Protocol
{
    /// <summary>Socket.IO v5 over Engine.IO v4 WebSocket: the contract of bench/BenchServer and its Node twin.</summary>
    SocketIO,

    /// <summary>Plain WebSocket messages, for bench/RawKestrel: an echo, and "J" join / "B…" broadcast, each answered "A".</summary>
    Raw,
}

/// <summary>A connected client of either protocol; Socket.IO pings are answered on the way.</summary>
internal sealed class BenchClient(RawWebSocket socket, Protocol protocol) : IAsyncDisposable
{
    public RawWebSocket Socket { get; } = socket;

    public static async Task<BenchClient> ConnectAsync(Uri server, Protocol protocol, System.Net.IPAddress? source = null, bool small = false)
    {
        if (protocol == Protocol.Raw)
        {
            return new BenchClient(await RawWebSocket.ConnectAsync(server, "/raw", source, small), protocol);
        }
        var socket = await RawWebSocket.ConnectAsync(server, "/socket.io/?EIO=4&transport=websocket", source, small);
        var open = await socket.ReceiveAsync();
        if (open.Length == 0 || open.Span[0] != (byte)'0')
        {
            throw new IOException($"Expected the Engine.IO open packet, got '{Encoding.UTF8.GetString(open.Span)}'.");
        }
        await socket.SendTextAsync("40"u8);
        var client = new BenchClient(socket, protocol);
        while (!(await client.ReceiveAsync()).Span.StartsWith("40"u8))
        {
        }
        return client;
    }

    /// <summary>The next application message; valid until the next call.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReceiveAsync()
    {
        while (true)
        {
            var message = await Socket.ReceiveAsync();
            if (protocol == Protocol.SocketIO && message.Length == 1 && message.Span[0] == (byte)'2')
            {
                await Socket.SendTextAsync("3"u8);
                continue;
            }
            return message;
        }
    }

    /// <summary>Whether a message is the answer to a request: a Socket.IO ACK, or the raw server's "A".</summary>
    public bool IsAnswer(ReadOnlySpan<byte> message) => protocol == Protocol.SocketIO
        ? message.Length > 2 && message[0] == (byte)'4' && message[1] == (byte)'3'
        : message.SequenceEqual("A"u8);

    /// <summary>Reads until an answer, skipping anything else.</summary>
    public async ValueTask WaitForAnswerAsync()
    {
        while (!IsAnswer((await ReceiveAsync()).Span))
        {
        }
    }

    /// <summary>Reads forever (answering pings) until the connection ends: keeps an idle client alive.</summary>
    public async Task IdleAsync()
    {
        try
        {
            while (true)
            {
                await ReceiveAsync();
            }
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
        }
    }

    public ValueTask DisposeAsync() => Socket.DisposeAsync();
}
