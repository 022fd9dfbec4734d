using System.Threading.Tasks.Sources;

namespace Gateways.EngineIO;

/// <summary>
/// A session's frames waiting for its transport: many writers, one reader at a time (the WebSocket writer loop, or
/// the poll in flight). A ring buffer made on first use and one reusable waiter, instead of a channel (~1.6 KB per
/// connection before its first item): most frames of a WebSocket session are written directly and never queue, so an
/// idle connection keeps at most the first small buffer (4 slots, made when its open packet queued before the
/// transport could write directly; kept, since a busy socket would otherwise allocate one per burst).
/// </summary>
internal sealed class SendQueue(Lock gate) : IValueTaskSource<bool>
{
    private const int InitialCapacity = 4;
    // A burst may grow the buffer; once drained, a buffer larger than this is dropped rather than kept by an idle socket.
    private const int RetainedCapacity = 16;

    // The session's send lock, which every writer holds already: re-entered, not a second lock per connection.
    private readonly Lock _lock = gate;
    private OutgoingFrame[]? _frames;
    private int _head;
    private int _count;
    private bool _completed;
    private bool _waiting;
    private CancellationToken _waitToken;
    private CancellationTokenRegistration _cancellation;
    // Continuations run on the writer's thread, as a channel with AllowSynchronousContinuations did: the writer loop
    // picks up a frame without a thread-pool hop.
    private ManualResetValueTaskSourceCore<bool> _waiter;

    /// <summary>Slots held now: zero until the first frame queues, and again once a burst has drained.</summary>
    internal int Capacity
    {
        get
        {
            lock (_lock)
            {
                return _frames?.Length ?? 0;
            }
        }
    }

    /// <summary>Adds a frame; <see langword="false"/> once the queue is completed.</summary>
    public bool TryWrite(OutgoingFrame frame)
    {
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }
            var frames = _frames ??= new OutgoingFrame[InitialCapacity];
            if (_count == frames.Length)
            {
                frames = Grow(frames);
            }
            frames[(_head + _count) % frames.Length] = frame;
            _count++;
            if (!_waiting)
            {
                return true;
            }
            _waiting = false;
        }
        _waiter.SetResult(true);
        return true;
    }

    /// <summary>Takes the oldest frame, if any.</summary>
    public bool TryRead(out OutgoingFrame frame)
    {
        lock (_lock)
        {
            if (_count == 0)
            {
                frame = default;
                return false;
            }
            var frames = _frames!;
            frame = frames[_head];
            // Cleared: a broadcast's bytes must not stay reachable from a slot that was read.
            frames[_head] = default;
            _head = (_head + 1) % frames.Length;
            if (--_count == 0)
            {
                _head = 0;
                if (frames.Length > RetainedCapacity)
                {
                    _frames = null;
                }
            }
            return true;
        }
    }

    /// <summary>No frame is added after this; a waiting reader is told once the queue is empty.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }
            _completed = true;
            if (!_waiting)
            {
                return;
            }
            // A waiting reader means the queue is empty (a write would have woken it).
            _waiting = false;
        }
        _waiter.SetResult(false);
    }

    /// <summary>Completes with <see langword="true"/> when a frame can be read, <see langword="false"/> when the queue
    /// is completed and empty; throws <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/>
    /// fires first. One reader at a time.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
    {
        short version;
        lock (_lock)
        {
            if (_count > 0)
            {
                return new ValueTask<bool>(true);
            }
            if (_completed)
            {
                return new ValueTask<bool>(false);
            }
            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<bool>(cancellationToken);
            }
            if (_waiting)
            {
                throw new InvalidOperationException("The send queue has one reader at a time.");
            }
            _waiter.Reset();
            _waiting = true;
            _waitToken = cancellationToken;
            version = _waiter.Version;
        }
        if (cancellationToken.CanBeCanceled)
        {
            // Registered after the lock: a write in between completes the wait, and the callback then finds nothing to do.
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((SendQueue)state!).OnCanceled(token), this);
        }
        return new ValueTask<bool>(this, version);
    }

    private void OnCanceled(CancellationToken token)
    {
        lock (_lock)
        {
            // A callback of an earlier wait (on another token) must not end this one.
            if (!_waiting || _waitToken != token)
            {
                return;
            }
            _waiting = false;
        }
        _waiter.SetException(new OperationCanceledException(token));
    }

    private OutgoingFrame[] Grow(OutgoingFrame[] frames)
    {
        var larger = new OutgoingFrame[frames.Length * 2];
        for (var i = 0; i < _count; i++)
        {
            larger[i] = frames[(_head + i) % frames.Length];
        }
        _head = 0;
        _frames = larger;
        return larger;
    }

    bool IValueTaskSource<bool>.GetResult(short token)
    {
        // Unregistered, never disposed: Dispose waits for a callback already running, and that callback may be waiting
        // for the send lock the writer whose inline continuation this is still holds (a deadlock). A callback that
        // runs late finds no wait, or another token's, and does nothing.
        _cancellation.Unregister();
        _cancellation = default;
        return _waiter.GetResult(token);
    }

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _waiter.OnCompleted(continuation, state, token, flags);
}
