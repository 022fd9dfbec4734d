using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace Gateways.EngineIO;

/// <summary>
/// One Engine.IO session (one <c>sid</c>): its send queue, heartbeat, current transport and the upgrade from
/// long-polling to WebSocket. Transports call in; the application sees only <see cref="Send"/> and <see cref="Close"/>.
/// </summary>
public sealed class EngineIOSession
{
    private readonly EngineIOServer _server;
    private readonly EngineIOOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _sendLock = new();
    private readonly SendQueue _outgoing;
    private readonly Lock _stateLock = new();
    private readonly ITimer _heartbeat;
    private readonly CancellationTokenSource _closed = new();
    // Made by the first poll that waits: a WebSocket-only session never needs one. Cancelled once, for good.
    private CancellationTokenSource? _pollInterrupt;
    private bool _pollsInterrupted;
    private IEngineIOSessionHandler _handler = NullHandler.Instance;
    private long _queuedBytes;
    // Frames in _outgoing: added under _sendLock, taken by TryDequeue. Zero under the lock means the queue is empty,
    // and this field sits on the session the sender already holds, where a peek at the channel would touch 2-3 more
    // objects per delivery (a broadcast to 10,000 sockets is bound by such cache misses).
    private int _queuedFrames;
    private bool _awaitingPong;
    private int _pollActive;
    private int _postActive;
    private int _tornDown;
    private string? _closeReason;
    private byte[] _pendingPollCloseFrame = EngineIOFrames.CloseText;
    private WebSocketCloseStatus _webSocketCloseStatus = WebSocketCloseStatus.NormalClosure;
    private ITimer? _teardownTimer;
    private readonly string? _pendingAddress;
    private int _pendingReleased;

    internal EngineIOSession(string id, EngineIOTransportKind transport, EngineIOHandshakeRequest request,
        EngineIOServer server, EngineIOOptions options, TimeProvider timeProvider, ILogger logger, string? pendingAddress = null)
    {
        // Null: the session took no pending slot (sessions made outside a handshake, as benchmarks do).
        _pendingAddress = pendingAddress;
        _pendingReleased = pendingAddress is null ? 1 : 0;
        Id = id;
        Transport = transport;
        Request = request;
        _server = server;
        _options = options;
        _logger = logger;
        TimeProvider = timeProvider;
        _outgoing = new SendQueue(_sendLock);
        _heartbeat = timeProvider.CreateTimer(static state => ((EngineIOSession)state!).OnHeartbeat(), this,
            Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _openedAt = Internal.GatewaysMetrics.ConnectionOpened();
    }

    private readonly long _openedAt;

    /// <summary>The session id (<c>sid</c>).</summary>
    public string Id { get; }

    /// <summary>The request that opened the session.</summary>
    public EngineIOHandshakeRequest Request { get; }

    /// <summary>The transport in use: <c>polling</c> or <c>websocket</c>.</summary>
    public string TransportName => Transport == EngineIOTransportKind.WebSocket ? "websocket" : "polling";

    /// <summary>Whether the session is still open.</summary>
    public bool IsOpen => Volatile.Read(ref _closeReason) is null;

    /// <summary>Cancelled when the session closes.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>Why the session closed, once it has.</summary>
    public string? CloseReason => Volatile.Read(ref _closeReason);

    internal TimeProvider TimeProvider { get; }

    internal EngineIOTransportKind Transport { get; private set; }

    internal UpgradeState Upgrade { get; private set; }

    /// <summary>Waits until a frame is queued (<see langword="true"/>) or the queue is closed and empty; one reader at a time.</summary>
    internal ValueTask<bool> WaitForFramesAsync(CancellationToken cancellationToken = default) =>
        _outgoing.WaitToReadAsync(cancellationToken);

    /// <summary>Cancelled when polls must end: the WebSocket took over, or the session was torn down.</summary>
    internal CancellationToken PollInterrupt
    {
        get
        {
            lock (_stateLock)
            {
                return _pollsInterrupted ? new CancellationToken(canceled: true) : (_pollInterrupt ??= new()).Token;
            }
        }
    }

    private void InterruptPolls()
    {
        CancellationTokenSource? interrupt;
        lock (_stateLock)
        {
            _pollsInterrupted = true;
            interrupt = _pollInterrupt;
        }
        interrupt?.Cancel();
    }

    internal byte[] PendingPollCloseFrame => _pendingPollCloseFrame;

    internal WebSocketCloseStatus WebSocketCloseStatus => _webSocketCloseStatus;

    internal ILogger Logger => _logger;

    internal EngineIOOptions Options => _options;

    /// <summary>Sends one message packet. Text is UTF-8.</summary>
    /// <param name="message">The message; the session copies it.</param>
    /// <returns><see langword="false"/> when the session is closed or its send queue overflowed.</returns>
    public bool Send(EngineIOMessage message)
    {
        if (message.IsBinary)
        {
            return TrySend(new OutgoingFrame(message.Data.ToArray(), OutgoingFrameKind.Binary));
        }
        var frame = new byte[message.Data.Length + 1];
        frame[0] = (byte)EngineIOPacketType.Message;
        message.Data.Span.CopyTo(frame.AsSpan(1));
        return TrySend(new OutgoingFrame(frame, OutgoingFrameKind.Text));
    }

    /// <summary>Closes the session after the messages already queued are flushed.</summary>
    public void Close() => CloseCore("forced close", graceful: true);

    /// <summary>The application connected a namespace: the session no longer counts against the caps on sessions
    /// that have not (<see cref="EngineIOOptions.MaxPendingSessionsPerAddress"/>, <see cref="EngineIOOptions.MaxPendingSessions"/>).</summary>
    public void MarkApplicationConnected() => ReleasePending();

    private void ReleasePending()
    {
        if (Interlocked.Exchange(ref _pendingReleased, 1) == 0)
        {
            _server.ReleasePending(_pendingAddress!);
        }
    }

    /// <summary>What handles this session's messages (the Socket.IO connection).</summary>
    internal IEngineIOSessionHandler Handler => _handler;

    internal void Start(IEngineIOSessionHandler handler)
    {
        _handler = handler;
        _heartbeat.Change(_options.PingInterval, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Queues a pre-encoded text frame and its binary attachments as one unit, so that no other send
    /// lands between them.</summary>
    internal bool TrySend(ReadOnlyMemory<byte> textFrame, ReadOnlyMemory<byte>[]? attachments)
    {
        if (attachments is null || attachments.Length == 0)
        {
            return TrySend(new OutgoingFrame(textFrame, OutgoingFrameKind.Text));
        }
        var size = (long)textFrame.Length;
        foreach (var attachment in attachments)
        {
            size += attachment.Length;
        }
        if (!Reserve(size))
        {
            return false;
        }
        lock (_sendLock)
        {
            Enqueue(new OutgoingFrame(textFrame, OutgoingFrameKind.Text));
            foreach (var attachment in attachments)
            {
                Enqueue(new OutgoingFrame(attachment, OutgoingFrameKind.Binary));
            }
        }
        return true;
    }

    internal bool TrySend(OutgoingFrame frame)
    {
        if (!Reserve(frame.Data.Length))
        {
            return false;
        }
        lock (_sendLock)
        {
            // Nothing queued and a transport that can write now: skip the queue (the order stays, since every send
            // passes this lock and only an empty queue lets a frame by).
            if (DirectWriter is { } direct && Volatile.Read(ref _queuedFrames) == 0 && direct.TryWriteNow(frame))
            {
                return true;
            }
            return Enqueue(frame);
        }
    }

    /// <summary>Sends a text frame and its attachments only if the transport can take them now — a WebSocket with
    /// nothing queued or in flight, or a poll that waits with nothing queued — and never queues them behind others
    /// (socket.io's volatile packets, which engine.io sends only when its transport is <c>writable</c>).</summary>
    /// <returns>Whether they were sent (or handed to the waiting poll).</returns>
    internal bool TrySendIfWritable(OutgoingFrame frame, ReadOnlyMemory<byte>[]? attachments)
    {
        if (!IsOpen)
        {
            return false;
        }
        var sent = false;
        lock (_sendLock)
        {
            if (Volatile.Read(ref _queuedFrames) == 0)
            {
                if (DirectWriter is { } direct)
                {
                    // One frame only: a binary event's attachments would have to queue behind its first frame.
                    sent = (attachments is null || attachments.Length == 0)
                        && Reserve(frame.Data.Length) && WriteNowOrRelease(direct, frame);
                }
                else if (Transport == EngineIOTransportKind.Polling && Volatile.Read(ref _pollWaiting) == 1)
                {
                    // The waiting poll takes it at once (System.Threading.Lock is re-entrant).
                    sent = attachments is null || attachments.Length == 0 ? TrySend(frame) : TrySend(frame.Data, attachments);
                }
            }
        }
        if (!sent)
        {
            Internal.GatewaysMetrics.DroppedVolatile();
        }
        return sent;
    }

    private bool WriteNowOrRelease(IDirectFrameWriter direct, OutgoingFrame frame)
    {
        if (direct.TryWriteNow(frame))
        {
            return true;
        }
        Interlocked.Add(ref _queuedBytes, -frame.Data.Length);
        return false;
    }

    /// <summary>Queues a frame; called under the send lock. Counted before the write, so the count never falls below
    /// what is queued, even when the writer's continuation runs inline and takes the frame at once.</summary>
    private bool Enqueue(OutgoingFrame frame)
    {
        Interlocked.Increment(ref _queuedFrames);
        if (_outgoing.TryWrite(frame))
        {
            return true;
        }
        Interlocked.Decrement(ref _queuedFrames);
        return false;
    }

    /// <summary>Takes the next queued frame, for the transport that writes them.</summary>
    internal bool TryDequeue(out OutgoingFrame frame)
    {
        if (!_outgoing.TryRead(out frame))
        {
            return false;
        }
        Interlocked.Decrement(ref _queuedFrames);
        return true;
    }

    /// <summary>Set by a transport that can write a frame at once when no send is in flight (WebSocket). An interface
    /// rather than a delegate: one object less to load per delivery.</summary>
    internal IDirectFrameWriter? DirectWriter { get; set; }

    /// <summary>The bytes of the frames queued now (what the next poll would carry).</summary>
    internal long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    internal void OnFrameSent(int size)
    {
        Interlocked.Add(ref _queuedBytes, -size);
        Internal.GatewaysMetrics.Sent(size);
    }

    private bool Reserve(long size)
    {
        if (!IsOpen)
        {
            return false;
        }
        if (size > _options.MaxBufferedBytes)
        {
            // Larger than the whole queue: no client could take it, and this one has not stopped reading. The sender
            // is told first (OutgoingMessageTooLargeException); this guards any other path.
            Internal.GatewaysMetrics.DroppedTooLarge();
            EngineIOLog.FrameTooLarge(_logger, Id, size, _options.MaxBufferedBytes);
            return false;
        }
        if (Interlocked.Add(ref _queuedBytes, size) > _options.MaxBufferedBytes)
        {
            EngineIOLog.SendQueueFull(_logger, Id, _options.MaxBufferedBytes);
            Internal.GatewaysMetrics.SlowReaderDisconnected();
            Abort("send buffer full");
            return false;
        }
        return true;
    }

    /// <summary>Handles one packet from the client. Returns <see langword="false"/> when the transport should stop
    /// reading because the session closed.</summary>
    internal async ValueTask<bool> ReceiveAsync(ReadOnlyMemory<byte> frame, bool isBinary)
    {
        if (!IsOpen)
        {
            return false;
        }
        if (isBinary)
        {
            await DeliverAsync(new EngineIOMessage(frame, IsBinary: true));
            return IsOpen;
        }
        if (frame.IsEmpty)
        {
            return RejectPacket("empty packet");
        }
        switch ((EngineIOPacketType)frame.Span[0])
        {
            case EngineIOPacketType.Message:
                await DeliverAsync(new EngineIOMessage(frame[1..], IsBinary: false));
                return IsOpen;
            case EngineIOPacketType.Pong:
                OnPong();
                return true;
            case EngineIOPacketType.Close:
                // The client asked to close: a pending poll ends with a noop, as the reference server does.
                CloseCore("transport close", graceful: false, pollCloseFrame: EngineIOFrames.Noop);
                return false;
            case EngineIOPacketType.Open:
            case EngineIOPacketType.Ping:
            case EngineIOPacketType.Upgrade:
            case EngineIOPacketType.Noop:
                // Not meaningful from a v4 client outside an upgrade; ignored like the reference server.
                return true;
            default:
                return RejectPacket("unknown packet type");
        }
    }

    internal bool RejectPacket(string what)
    {
        EngineIOLog.InvalidPacket(_logger, Id, what);
        Abort("parse error");
        return false;
    }

    private async ValueTask DeliverAsync(EngineIOMessage message)
    {
        Internal.GatewaysMetrics.Received(message.Data.Length);
        try
        {
            await _handler.OnMessageAsync(message);
        }
        catch (Exception ex)
        {
            EngineIOLog.HandlerFailed(_logger, Id, ex);
            Abort("transport error");
        }
    }

    private void OnHeartbeat()
    {
        bool timedOut;
        lock (_stateLock)
        {
            if (!IsOpen)
            {
                return;
            }
            timedOut = _awaitingPong;
            if (!timedOut)
            {
                _awaitingPong = true;
                _heartbeat.Change(_options.PingTimeout, Timeout.InfiniteTimeSpan);
            }
        }
        if (timedOut)
        {
            EngineIOLog.PingTimeout(_logger, Id);
            if (Transport == EngineIOTransportKind.WebSocket)
            {
                // The socket itself may be fine: say goodbye with a close frame rather than cutting it.
                CloseGracefully("ping timeout", WebSocketCloseStatus.PolicyViolation);
            }
            else
            {
                Abort("ping timeout");
            }
            return;
        }
        TrySend(new OutgoingFrame(EngineIOFrames.Ping, OutgoingFrameKind.Text));
    }

    private void OnPong()
    {
        lock (_stateLock)
        {
            if (!_awaitingPong || !IsOpen)
            {
                return;
            }
            _awaitingPong = false;
            _heartbeat.Change(_options.PingInterval, Timeout.InfiniteTimeSpan);
        }
    }

    // ---- polling bookkeeping ----

    internal bool TryBeginPoll() => Interlocked.Exchange(ref _pollActive, 1) == 0;

    // 1 while a poll waits for packets (not while it writes them): only then is polling "writable" for volatile sends.
    private int _pollWaiting;

    internal void SetPollWaiting(bool waiting) => Volatile.Write(ref _pollWaiting, waiting ? 1 : 0);

    internal void EndPoll()
    {
        TaskCompletionSource? waiter;
        lock (_stateLock)
        {
            Volatile.Write(ref _pollActive, 0);
            waiter = _pollEnded;
            _pollEnded = null;
        }
        waiter?.TrySetResult();
    }

    internal bool TryBeginPost() => Interlocked.Exchange(ref _postActive, 1) == 0;

    internal void EndPost() => Volatile.Write(ref _postActive, 0);

    // ---- upgrade (Engine.IO protocol, "Upgrade") ----

    internal bool TryBeginUpgrade()
    {
        lock (_stateLock)
        {
            if (!IsOpen || Transport != EngineIOTransportKind.Polling || Upgrade != UpgradeState.None)
            {
                return false;
            }
            Upgrade = UpgradeState.Probing;
            return true;
        }
    }

    /// <summary>The probe succeeded. Polls go on carrying queued packets, as the reference server's do, and every
    /// <see cref="ProbeNoopInterval"/> a poll that is still waiting ends with a noop, so that the client, which pauses
    /// polling before it sends the upgrade, gets its poll back soon.</summary>
    internal void OnProbe()
    {
        lock (_stateLock)
        {
            if (Upgrade != UpgradeState.Probing || _probeTimer is not null)
            {
                return;
            }
            _probeTimer = TimeProvider.CreateTimer(static s => ((EngineIOSession)s!).OnProbeTick(), this,
                ProbeNoopInterval, ProbeNoopInterval);
        }
    }

    /// <summary>How often a poll still waiting during an upgrade is ended with a noop (engine.io uses 100 ms).</summary>
    internal static readonly TimeSpan ProbeNoopInterval = TimeSpan.FromMilliseconds(100);

    private ITimer? _probeTimer;
    // Made on the first poll: a WebSocket-only session never needs one.
    private CancellationTokenSource? _probeTick;
    private TaskCompletionSource? _pollEnded;

    /// <summary>Cancelled at the next probe tick; a poll that waits links it, see <see cref="OnProbe"/>.</summary>
    internal CancellationToken ProbeTick
    {
        get
        {
            var tick = Volatile.Read(ref _probeTick);
            if (tick is null)
            {
                var created = new CancellationTokenSource();
                tick = Interlocked.CompareExchange(ref _probeTick, created, null) ?? created;
            }
            return tick.Token;
        }
    }

    private void OnProbeTick()
    {
        lock (_stateLock)
        {
            if (Upgrade != UpgradeState.Probing)
            {
                return;
            }
        }
        Interlocked.Exchange(ref _probeTick, new CancellationTokenSource())?.Cancel();
    }

    /// <summary>The client sent "5": the WebSocket takes over. A poll still in flight ends first (with a noop if it
    /// waits), since the queue has one reader at a time.</summary>
    /// <returns><see langword="false"/> when that poll did not end within <paramref name="pollDrainTimeout"/>.</returns>
    internal async ValueTask<bool> CompleteUpgradeAsync(TimeSpan pollDrainTimeout)
    {
        Task pollEnded;
        lock (_stateLock)
        {
            Transport = EngineIOTransportKind.WebSocket;
            Upgrade = UpgradeState.Done;
            StopProbeTimer();
            if (Volatile.Read(ref _pollActive) == 1)
            {
                _pollEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                pollEnded = _pollEnded.Task;
            }
            else
            {
                pollEnded = Task.CompletedTask;
            }
        }
        InterruptPolls();
        if (pollEnded.IsCompleted)
        {
            return true;
        }
        try
        {
            await pollEnded.WaitAsync(pollDrainTimeout, TimeProvider);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    internal void CancelUpgrade()
    {
        lock (_stateLock)
        {
            if (Upgrade != UpgradeState.Probing)
            {
                return;
            }
            Upgrade = UpgradeState.None;
            StopProbeTimer();
        }
    }

    private void StopProbeTimer()
    {
        _probeTimer?.Dispose();
        _probeTimer = null;
    }

    // ---- closing ----

    /// <summary>Closes at once: queued messages are dropped and the transport is torn down.</summary>
    internal void Abort(string reason) => CloseCore(reason, graceful: false);

    /// <summary>Closes after the queue is flushed; a WebSocket closes with <paramref name="status"/>.</summary>
    internal void CloseGracefully(string reason, WebSocketCloseStatus status)
    {
        _webSocketCloseStatus = status;
        CloseCore(reason, graceful: true);
    }

    private void CloseCore(string reason, bool graceful, byte[]? pollCloseFrame = null)
    {
        lock (_stateLock)
        {
            if (_closeReason is not null)
            {
                return;
            }
            _pendingPollCloseFrame = pollCloseFrame ?? EngineIOFrames.CloseText;
            Volatile.Write(ref _closeReason, reason);
        }
        _heartbeat.Dispose();
        ReleasePending();
        Internal.GatewaysMetrics.ConnectionClosed(_openedAt, reason);
        if (graceful)
        {
            lock (_sendLock)
            {
                Enqueue(OutgoingFrame.Close);
            }
        }
        _outgoing.Complete();
        EngineIOLog.SessionClosed(_logger, Id, reason);
        try
        {
            _handler.OnClose(reason);
        }
        catch (Exception ex)
        {
            EngineIOLog.HandlerFailed(_logger, Id, ex);
        }
        try
        {
            _closed.Cancel();
        }
        catch (AggregateException ex)
        {
            EngineIOLog.HandlerFailed(_logger, Id, ex);
        }
        if (graceful)
        {
            // A client that never comes back for the rest of its queue must not keep the session around.
            _teardownTimer = TimeProvider.CreateTimer(static s => ((EngineIOSession)s!).Teardown(), this,
                _options.PingTimeout, Timeout.InfiniteTimeSpan);
        }
        else
        {
            Teardown();
        }
    }

    /// <summary>Forgets the session and releases its transport; idempotent.</summary>
    internal void Teardown()
    {
        if (Interlocked.Exchange(ref _tornDown, 1) == 1)
        {
            return;
        }
        _teardownTimer?.Dispose();
        lock (_stateLock)
        {
            StopProbeTimer();
        }
        _server.Remove(this);
        InterruptPolls();
        while (TryDequeue(out _))
        {
        }
        Interlocked.Exchange(ref _queuedBytes, 0);
        TransportTeardown?.Invoke();
    }

    /// <summary>Set by the WebSocket transport so that an abort closes the socket at once.</summary>
    internal Action? TransportTeardown { get; set; }

    internal enum UpgradeState
    {
        None,
        Probing,
        Done,
    }

    private sealed class NullHandler : IEngineIOSessionHandler
    {
        public static readonly NullHandler Instance = new();

        public ValueTask OnMessageAsync(EngineIOMessage message) => ValueTask.CompletedTask;

        public void OnClose(string reason)
        {
        }
    }
}

/// <summary>A transport that can write a frame from the sender's thread, skipping the queue.</summary>
internal interface IDirectFrameWriter
{
    /// <summary>Writes the frame now, or returns <see langword="false"/> to have it queued instead. Called under the
    /// session's send lock, only when nothing is queued.</summary>
    bool TryWriteNow(OutgoingFrame frame);
}

internal enum EngineIOTransportKind
{
    Polling,
    WebSocket,
}
