using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace LoadGen;

/// <summary>
/// The echo scenario on one thread and Linux's <c>epoll</c>, past the .NET socket engine: per round trip one
/// <c>recv</c> and one <c>send</c>, where an awaited receive costs a <c>recv</c> that finds nothing, a wake-up of the
/// engine and a continuation. At 100 clients the async generator needed as much CPU per message as the servers, so
/// it was the limit as often as they were. The sockets are connected with blocking calls first: a socket the .NET
/// engine never waited on is not in its epoll set, so the engine stays asleep during the measurement.
/// </summary>
internal static class EpollEcho
{
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDelete = 2;
    private const uint EpollIn = 0x001;
    private const int MsgNoSignal = 0x4000;
    private const int EAgain = 11;

    /// <summary>Whether this loop can run here: epoll's event layout below is x86-64's (packed, 12 bytes).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    public static async Task<int> RunAsync(LoadOptions options)
    {
        var clients = new List<Client>(options.Clients);
        for (var i = 0; i < options.Clients; i++)
        {
            clients.Add(Client.Connect(options.Url, options.Protocol, options.PayloadBytes));
        }
        var measured = await Scenarios.MeasureAsync(options, stop =>
            Task.Factory.StartNew(() => Loop(clients, options.Protocol, stop), TaskCreationOptions.LongRunning));
        var all = clients.SelectMany(c => c.Latencies).Order().ToArray();
        Scenarios.Report(options, measured, all.Length, all, "acks", engine: "epoll");
        foreach (var client in clients)
        {
            client.Close();
        }
        return 0;
    }

    private static unsafe void Loop(List<Client> clients, Protocol protocol, CancellationToken stop)
    {
        var epoll = epoll_create1(0);
        if (epoll < 0)
        {
            throw new IOException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
        }
        try
        {
            for (var i = 0; i < clients.Count; i++)
            {
                var registration = new EpollEvent { Events = EpollIn, Data = (ulong)i };
                if (epoll_ctl(epoll, EpollCtlAdd, clients[i].Fd, &registration) < 0)
                {
                    throw new IOException($"epoll_ctl failed: errno {Marshal.GetLastPInvokeError()}");
                }
            }
            foreach (var client in clients)
            {
                client.SendRequest(protocol);
            }
            var events = new EpollEvent[256];
            while (!stop.IsCancellationRequested)
            {
                int ready;
                fixed (EpollEvent* first = events)
                {
                    ready = epoll_wait(epoll, first, events.Length, 50);
                }
                for (var k = 0; k < ready; k++)
                {
                    var client = clients[(int)events[k].Data];
                    if (client.OnReadable(protocol) && !stop.IsCancellationRequested)
                    {
                        client.SendRequest(protocol);
                    }
                    else if (!client.Open)
                    {
                        // The server went away from this one: the run reports what was measured.
                        epoll_ctl(epoll, EpollCtlDelete, client.Fd, null);
                    }
                }
            }
        }
        finally
        {
            close(epoll);
        }
    }

    /// <summary>One connection: its receive buffer, the request frame written in place, the request in flight.</summary>
    private sealed unsafe class Client
    {
        private readonly Socket _socket;
        private readonly byte[] _receive = new byte[16 * 1024];
        private readonly byte[] _request;
        private readonly byte[] _suffix;
        private readonly byte[] _frame = new byte[256];
        private int _start;
        private int _end;
        private long _ackId;
        private long _sentAt;

        private Client(Socket socket, byte[] request, byte[] suffix)
        {
            _socket = socket;
            _request = request;
            _suffix = suffix;
            Fd = (int)socket.Handle;
        }

        public int Fd { get; }

        public bool Open { get; private set; } = true;

        public List<long> Latencies { get; } = new(200_000);

        /// <summary>Connects with blocking calls (upgrade, and for Socket.IO the open packet and CONNECT), then
        /// switches the socket to non-blocking for the loop.</summary>
        public static Client Connect(Uri server, Protocol protocol, int payloadBytes)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            socket.Connect(new IPEndPoint(IPAddress.Parse(server.Host), server.Port));
            var payload = new string('x', payloadBytes);
            var client = new Client(socket, Encoding.UTF8.GetBytes(payload), Encoding.UTF8.GetBytes($"[\"echo\",\"{payload}\"]"));
            socket.Send(RawWebSocket.UpgradeRequest(server, protocol == Protocol.Raw ? "/raw" : "/socket.io/?EIO=4&transport=websocket"));
            int handshake;
            while ((handshake = RawWebSocket.HandshakeLength(client._receive.AsSpan(0, client._end))) < 0)
            {
                client.ReceiveBlocking();
            }
            client._start = handshake;
            if (protocol == Protocol.SocketIO)
            {
                if (!client.NextMessageBlocking().StartsWith("0"u8))
                {
                    throw new IOException("Expected the Engine.IO open packet.");
                }
                client.Send("40"u8);
                while (!client.NextMessageBlocking().StartsWith("40"u8))
                {
                }
            }
            socket.Blocking = false;
            return client;
        }

        /// <summary>42&lt;id&gt;["echo","payload"] (raw: the payload alone), timed from here.</summary>
        public void SendRequest(Protocol protocol)
        {
            if (protocol == Protocol.Raw)
            {
                Send(_request);
            }
            else
            {
                Span<byte> message = stackalloc byte[_suffix.Length + 24];
                message[0] = (byte)'4';
                message[1] = (byte)'2';
                Utf8Formatter.TryFormat(++_ackId, message[2..], out var digits);
                _suffix.CopyTo(message[(2 + digits)..]);
                Send(message[..(2 + digits + _suffix.Length)]);
            }
            _sentAt = Stopwatch.GetTimestamp();
        }

        /// <summary>One recv, then every whole frame in the buffer; true when the answer to the request arrived.</summary>
        public bool OnReadable(Protocol protocol)
        {
            Compact();
            nint read;
            fixed (byte* buffer = _receive)
            {
                read = recv(Fd, buffer + _end, _receive.Length - _end, 0);
            }
            if (read <= 0)
            {
                if (read < 0 && Marshal.GetLastPInvokeError() == EAgain)
                {
                    return false;
                }
                Open = false;
                return false;
            }
            _end += (int)read;
            var answered = false;
            while (RawWebSocket.TryParseFrame(_receive.AsSpan(_start, _end - _start), _receive.Length, out var opcode, out var header, out var length))
            {
                var message = _receive.AsSpan(_start + header, length);
                _start += header + length;
                switch (opcode)
                {
                    case 0x8:
                        Open = false;
                        return false;
                    case 0x9:
                        SendFrame(0xA, message);
                        continue;
                    case 0x1 or 0x2 when protocol == Protocol.SocketIO && message.SequenceEqual("2"u8):
                        Send("3"u8);
                        continue;
                    case 0x1 or 0x2 when protocol == Protocol.Raw || message.StartsWith("43"u8):
                        Latencies.Add(Stopwatch.GetTimestamp() - _sentAt);
                        answered = true;
                        continue;
                }
            }
            return answered;
        }

        /// <summary>Sends a close frame and closes; the server's answer is not awaited.</summary>
        public void Close()
        {
            try
            {
                if (Open)
                {
                    SendFrame(0x8, [0x03, 0xe8]);
                }
                _socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
            {
            }
            _socket.Dispose();
        }

        private void Send(ReadOnlySpan<byte> payload) => SendFrame(0x1, payload);

        /// <summary>A small frame into an empty loopback socket buffer goes out whole; anything less is reported.</summary>
        private void SendFrame(byte opcode, ReadOnlySpan<byte> payload)
        {
            var length = RawWebSocket.WriteFrame(_frame, opcode, payload);
            nint sent;
            fixed (byte* frame = _frame)
            {
                sent = send(Fd, frame, length, MsgNoSignal);
            }
            if (sent != length)
            {
                throw new IOException($"send wrote {sent} of {length} bytes (errno {Marshal.GetLastPInvokeError()}).");
            }
        }

        private void Compact() => RawWebSocket.Compact(_receive, ref _start, ref _end);

        private void ReceiveBlocking()
        {
            Compact();
            var read = _socket.Receive(_receive, _end, _receive.Length - _end, SocketFlags.None);
            if (read == 0)
            {
                throw new IOException("The server closed the connection during the handshake.");
            }
            _end += read;
        }

        /// <summary>The next text or binary message during the handshake (valid until the next read).</summary>
        private ReadOnlySpan<byte> NextMessageBlocking()
        {
            while (true)
            {
                if (RawWebSocket.TryParseFrame(_receive.AsSpan(_start, _end - _start), _receive.Length, out var opcode, out var header, out var length))
                {
                    var start = _start + header;
                    _start = start + length;
                    if (opcode is 0x1 or 0x2)
                    {
                        return _receive.AsSpan(start, length);
                    }
                    continue;
                }
                ReceiveBlocking();
            }
        }
    }

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    private struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    [DllImport("libc", SetLastError = true)]
    private static unsafe extern int epoll_create1(int flags);

    [DllImport("libc", SetLastError = true)]
    private static unsafe extern int epoll_ctl(int epfd, int op, int fd, EpollEvent* @event);

    [DllImport("libc", SetLastError = true)]
    private static unsafe extern int epoll_wait(int epfd, EpollEvent* events, int maxevents, int timeout);

    [DllImport("libc", SetLastError = true)]
    private static unsafe extern nint recv(int fd, byte* buffer, nint length, int flags);

    [DllImport("libc", SetLastError = true)]
    private static unsafe extern nint send(int fd, byte* buffer, nint length, int flags);

    [DllImport("libc", SetLastError = true)]
    private static unsafe extern int close(int fd);
}
