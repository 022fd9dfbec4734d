using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LoadGen;

/// <summary>
/// The smallest WebSocket client that does the job, on a bare <see cref="Socket"/>: ClientWebSocket costs 15-23 µs of
/// the generator's core per round trip, which would make the generator the limit. Frames are built in place with a
/// zero masking key (a legal key; the server XORs with zeros), so a payload goes out as it is. Server frames are read
/// from one buffer without copying; a message stays valid until the next receive.
/// </summary>
internal sealed class RawWebSocket : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _receive;
    private readonly byte[] _send;
    private int _start;
    private int _end;

    private RawWebSocket(Socket socket, bool small)
    {
        _socket = socket;
        // Small buffers for the scale scenario: 100,000 clients at 72 KB each would be 7 GB on the generator's side.
        _receive = new byte[small ? 4 * 1024 : 64 * 1024];
        _send = new byte[small ? 1024 : 8 * 1024];
    }

    /// <summary>Connects and opens a WebSocket at <paramref name="pathAndQuery"/>, from <paramref name="source"/> when
    /// given (another loopback address: each source address has its own ~28,000 ephemeral ports).</summary>
    public static async Task<RawWebSocket> ConnectAsync(Uri server, string pathAndQuery, IPAddress? source = null, bool small = false)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (source is not null)
        {
            socket.Bind(new IPEndPoint(source, 0));
        }
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(server.Host), server.Port));
        var client = new RawWebSocket(socket, small);
        await socket.SendAsync(UpgradeRequest(server, pathAndQuery), SocketFlags.None);
        await client.ReadHandshakeAsync();
        return client;
    }

    /// <summary>The HTTP request that opens a WebSocket at <paramref name="pathAndQuery"/>.</summary>
    public static byte[] UpgradeRequest(Uri server, string pathAndQuery) => Encoding.ASCII.GetBytes(
        $"GET {pathAndQuery} HTTP/1.1\r\nHost: {server.Host}:{server.Port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");

    /// <summary>Where the frames start after the server's handshake response, or -1 while the response is incomplete;
    /// throws when the server refused the upgrade.</summary>
    public static int HandshakeLength(ReadOnlySpan<byte> received)
    {
        var headerEnd = received.IndexOf("\r\n\r\n"u8);
        if (headerEnd < 0)
        {
            return -1;
        }
        if (!received.StartsWith("HTTP/1.1 101"u8))
        {
            throw new IOException($"The server refused the WebSocket upgrade: {Encoding.ASCII.GetString(received[..headerEnd])}");
        }
        return headerEnd + 4;
    }

    private async Task ReadHandshakeAsync()
    {
        while (true)
        {
            var read = await _socket.ReceiveAsync(_receive.AsMemory(_end), SocketFlags.None);
            if (read == 0)
            {
                throw new IOException("The server closed the connection during the WebSocket handshake.");
            }
            _end += read;
            var length = HandshakeLength(_receive.AsSpan(0, _end));
            if (length >= 0)
            {
                _start = length;
                return;
            }
        }
    }

    /// <summary>Sends one text frame.</summary>
    public ValueTask<int> SendTextAsync(ReadOnlySpan<byte> payload) => SendAsync(0x1, payload);

    private ValueTask<int> SendAsync(byte opcode, ReadOnlySpan<byte> payload)
    {
        var length = WriteFrame(_send, opcode, payload);
        return _socket.SendAsync(_send.AsMemory(0, length), SocketFlags.None);
    }

    /// <summary>Writes a masked client frame (zero key) into <paramref name="destination"/>; returns its length.</summary>
    public static int WriteFrame(Span<byte> destination, byte opcode, ReadOnlySpan<byte> payload)
    {
        destination[0] = (byte)(0x80 | opcode);
        int header;
        if (payload.Length < 126)
        {
            destination[1] = (byte)(0x80 | payload.Length);
            header = 2;
        }
        else
        {
            destination[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payload.Length);
            header = 4;
        }
        destination.Slice(header, 4).Clear();
        payload.CopyTo(destination[(header + 4)..]);
        return header + 4 + payload.Length;
    }

    /// <summary>The next text or binary message; pings are answered on the way. Valid until the next call.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReceiveAsync()
    {
        while (true)
        {
            while (TryParse(out var opcode, out var payload))
            {
                switch (opcode)
                {
                    case 0x1 or 0x2:
                        return payload;
                    case 0x8:
                        throw new IOException("The server closed the WebSocket.");
                    case 0x9:
                        await SendAsync(0xA, payload.Span);
                        break;
                }
            }
            Compact(_receive, ref _start, ref _end);
            var read = await _socket.ReceiveAsync(_receive.AsMemory(_end), SocketFlags.None);
            if (read == 0)
            {
                throw new IOException("The server closed the connection.");
            }
            _end += read;
        }
    }

    private bool TryParse(out int opcode, out ReadOnlyMemory<byte> payload)
    {
        payload = default;
        if (!TryParseFrame(_receive.AsSpan(_start, _end - _start), _receive.Length, out opcode, out var header, out var length))
        {
            return false;
        }
        payload = _receive.AsMemory(_start + header, length);
        _start += header + length;
        return true;
    }

    /// <summary>Makes room at the end of a receive buffer holding unread bytes from start to end.</summary>
    public static void Compact(byte[] buffer, ref int start, ref int end)
    {
        if (start == end)
        {
            start = end = 0;
        }
        else if (start > buffer.Length / 2)
        {
            buffer.AsSpan(start, end - start).CopyTo(buffer);
            end -= start;
            start = 0;
        }
    }

    /// <summary>Reads the header of the (unmasked) server frame at the start of <paramref name="available"/>: false
    /// until the whole frame is there. Throws when the frame could never fit a buffer of <paramref name="capacity"/>.</summary>
    public static bool TryParseFrame(ReadOnlySpan<byte> available, int capacity, out int opcode, out int header, out int length)
    {
        opcode = header = length = 0;
        if (available.Length < 2)
        {
            return false;
        }
        opcode = available[0] & 0x0f;
        long declared = available[1] & 0x7f;
        header = 2;
        if (declared == 126)
        {
            if (available.Length < 4)
            {
                return false;
            }
            declared = BinaryPrimitives.ReadUInt16BigEndian(available[2..]);
            header = 4;
        }
        else if (declared == 127)
        {
            if (available.Length < 10)
            {
                return false;
            }
            declared = (long)BinaryPrimitives.ReadUInt64BigEndian(available[2..]);
            header = 10;
        }
        if (header + declared > capacity)
        {
            throw new IOException($"A {declared}-byte server message is larger than the generator's buffer.");
        }
        length = (int)declared;
        return available.Length >= header + length;
    }

    /// <summary>Sends a close frame and waits for the server's (or the end of the connection), then closes.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await SendAsync(0x8, [0x03, 0xe8]);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            while (true)
            {
                if (TryParse(out var opcode, out _))
                {
                    if (opcode == 0x8)
                    {
                        break;
                    }
                    continue;
                }
                _start = _end = 0;
                var read = await _socket.ReceiveAsync(_receive.AsMemory(), SocketFlags.None, timeout.Token);
                if (read == 0)
                {
                    break;
                }
                _end = read;
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        _socket.Dispose();
    }
}
