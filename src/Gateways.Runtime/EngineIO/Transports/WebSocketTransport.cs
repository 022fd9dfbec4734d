using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;

namespace Gateways.EngineIO.Transports;

/// <summary>
/// The WebSocket transport (Engine.IO protocol, "WebSocket"): one Engine.IO packet per frame, binary messages
/// as binary frames. One reader loop per socket; a frame is written from the sender's thread when nothing is queued
/// and no send is in flight, otherwise it waits in the session's queue for the writer loop.
/// </summary>
internal sealed class WebSocketTransport : IDirectFrameWriter
{
    private const int ReceiveChunkSize = 4096;

    private readonly EngineIOSession _session;
    private readonly WebSocket _socket;
    private readonly SemaphoreSlim _sending = new(1, 1);

    private WebSocketTransport(EngineIOSession session, WebSocket socket)
    {
        _session = session;
        _socket = socket;
        _deflateThreshold = session.Options.PerMessageDeflate.Threshold;
    }

    // Read once: every send compares against it.
    private readonly int _deflateThreshold;

    /// <summary>Runs a session that was opened directly on WebSocket, until it ends.</summary>
    public static Task RunAsync(EngineIOSession session, WebSocket socket)
    {
        var transport = new WebSocketTransport(session, socket);
        session.TransportTeardown = socket.Abort;
        return transport.RunOpenAsync();
    }

    /// <summary>Runs the probe of a polling session's upgrade, then the session itself if the upgrade completes;
    /// <paramref name="upgraded"/> runs once it has, before the session's first WebSocket message is read.</summary>
    public static async Task RunUpgradeAsync(EngineIOSession session, WebSocket socket, Action upgraded)
    {
        var transport = new WebSocketTransport(session, socket);
        if (!await transport.ProbeAsync())
        {
            session.CancelUpgrade();
            socket.Abort();
            return;
        }
        session.TransportTeardown = socket.Abort;
        if (!await session.CompleteUpgradeAsync(session.Options.UpgradeTimeout))
        {
            // A poll that neither waits nor finishes writing (a client that stopped reading it) holds the queue.
            EngineIOLog.UpgradeFailed(session.Logger, session.Id, "a poll in flight did not end");
            session.Abort("transport error");
            return;
        }
        upgraded();
        await transport.RunOpenAsync();
    }

    /// <summary>Waits for "2probe" (answers "3probe") then "5", within the upgrade timeout.</summary>
    private async Task<bool> ProbeAsync()
    {
        using var timeout = new CancellationTokenSource(_session.Options.UpgradeTimeout, _session.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _session.Closed);
        try
        {
            while (true)
            {
                var (frame, isBinary, closed) = await ReceiveMessageAsync(linked.Token);
                if (closed || isBinary || frame is null)
                {
                    return false;
                }
                if (frame.AsSpan().SequenceEqual("2probe"u8))
                {
                    await _socket.SendAsync(EngineIOFrames.ProbePong, WebSocketMessageType.Text, true, linked.Token);
                    _session.OnProbe();
                    continue;
                }
                if (frame.AsSpan().SequenceEqual("5"u8))
                {
                    return true;
                }
                EngineIOLog.UpgradeFailed(_session.Logger, _session.Id, "unexpected packet during the probe");
                return false;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            EngineIOLog.UpgradeFailed(_session.Logger, _session.Id, ex.Message);
            return false;
        }
    }

    private async Task RunOpenAsync()
    {
        var writing = WriteLoopAsync();
        _session.DirectWriter = this;
        try
        {
            while (_session.IsOpen)
            {
                var (frame, isBinary, closed) = await ReceiveMessageAsync(CancellationToken.None);
                if (closed)
                {
                    // The client started the closing handshake: answer its close frame rather than reset the connection.
                    _session.CloseGracefully("transport close", WebSocketCloseStatus.NormalClosure);
                    break;
                }
                if (frame is null || !await _session.ReceiveAsync(frame, isBinary))
                {
                    break;
                }
            }
            // CloseSent too: the writer may already have sent our close frame; aborting now would reset the connection
            // under it before the client reads it.
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                await DrainUntilCloseAsync();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            _session.Abort("transport error");
        }
        _session.DirectWriter = null;
        await writing;
        // A graceful close ends here once the client answered the close frame (or the teardown timer aborted it).
        _session.Teardown();
    }

    /// <summary>After a graceful close, reads and drops whatever the client still sends (the rest of an oversized
    /// message, say) until its close frame, so the close frame reaches it instead of a connection reset.</summary>
    private async Task DrainUntilCloseAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReceiveChunkSize);
        try
        {
            using var timeout = new CancellationTokenSource(_session.Options.PingTimeout, _session.TimeProvider);
            while ((await _socket.ReceiveAsync(buffer.AsMemory(), timeout.Token)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads one whole message into an array of its exact size (the receiver keeps it). Returns a null
    /// frame when the message exceeds maxPayload, after closing the session with status 1009.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(byte[]? Frame, bool IsBinary, bool Closed)> ReceiveMessageAsync(CancellationToken cancellationToken)
    {
        var maxPayload = _session.Options.MaxPayload;
        // A zero-byte read first: an idle socket waits without holding a receive buffer (a few KB per connection).
        var ready = await _socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
        if (ready.MessageType == WebSocketMessageType.Close)
        {
            return (null, false, true);
        }
        if (ready.EndOfMessage)
        {
            // An empty message is consumed whole by the zero-byte read.
            return ([], ready.MessageType == WebSocketMessageType.Binary, false);
        }
        var chunk = ArrayPool<byte>.Shared.Rent(ReceiveChunkSize);
        byte[]? assembled = null;
        var length = 0;
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(chunk.AsMemory(), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return (null, false, true);
                }
                if (length + result.Count > maxPayload)
                {
                    EngineIOLog.PayloadTooLarge(_session.Logger, _session.Id, maxPayload);
                    _session.CloseGracefully("payload too large", WebSocketCloseStatus.MessageTooBig);
                    return (null, false, false);
                }
                if (result.EndOfMessage && assembled is null)
                {
                    return (chunk.AsSpan(0, result.Count).ToArray(), result.MessageType == WebSocketMessageType.Binary, false);
                }
                assembled ??= ArrayPool<byte>.Shared.Rent(Math.Min(maxPayload, ReceiveChunkSize * 4));
                if (length + result.Count > assembled.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(maxPayload, Math.Max(assembled.Length * 2, length + result.Count)));
                    assembled.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(assembled);
                    assembled = larger;
                }
                chunk.AsSpan(0, result.Count).CopyTo(assembled.AsSpan(length));
                length += result.Count;
                if (result.EndOfMessage)
                {
                    return (assembled.AsSpan(0, length).ToArray(), result.MessageType == WebSocketMessageType.Binary, false);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
            if (assembled is not null)
            {
                ArrayPool<byte>.Shared.Return(assembled);
            }
        }
    }

    /// <summary>Writes a frame from the sender's own thread when no send is in flight (the session checked that
    /// nothing is queued): no queue, no wake-up of the writer loop. A send that does not complete at once finishes in
    /// the background, holding the gate so that queued frames wait for it.</summary>
    public bool TryWriteNow(OutgoingFrame frame)
    {
        if (frame.Kind == OutgoingFrameKind.Close || !_sending.Wait(0))
        {
            return false;
        }
        _session.OnFrameSent(frame.Data.Length);
        ValueTask send;
        try
        {
            send = _socket.SendAsync(frame.Data, MessageType(frame), Flags(frame), CancellationToken.None);
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            _sending.Release();
            _session.Abort("transport error");
            return true;
        }
        if (!send.IsCompleted)
        {
            _ = FinishSendAsync(send);
            return true;
        }
        try
        {
            send.GetAwaiter().GetResult();
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            _session.Abort("transport error");
        }
        finally
        {
            _sending.Release();
        }
        return true;
    }

    private async Task FinishSendAsync(ValueTask send)
    {
        try
        {
            await send;
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            _session.Abort("transport error");
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>What a send on a socket that is closing or gone throws; the session aborts instead of the caller.</summary>
    private static bool IsTransportFailure(Exception ex) =>
        ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException;

    /// <summary>One whole message; below the deflate threshold, uncompressed (a no-op when deflate was not negotiated).</summary>
    private WebSocketMessageFlags Flags(OutgoingFrame frame) =>
        frame.Data.Length < _deflateThreshold
            ? WebSocketMessageFlags.EndOfMessage | WebSocketMessageFlags.DisableCompression
            : WebSocketMessageFlags.EndOfMessage;

    private static WebSocketMessageType MessageType(OutgoingFrame frame) =>
        frame.Kind == OutgoingFrameKind.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text;

    private async Task WriteLoopAsync()
    {
        try
        {
            while (await _session.WaitForFramesAsync())
            {
                // The gate keeps queued frames behind a direct send still in flight.
                await _sending.WaitAsync();
                try
                {
                    while (_session.TryDequeue(out var frame))
                    {
                        _session.OnFrameSent(frame.Data.Length);
                        if (frame.Kind == OutgoingFrameKind.Close)
                        {
                            await CloseOutputAsync();
                            return;
                        }
                        await _socket.SendAsync(frame.Data, MessageType(frame), Flags(frame), CancellationToken.None);
                    }
                }
                finally
                {
                    _sending.Release();
                }
            }
            // The queue completed without a graceful close marker: the session was aborted.
            _socket.Abort();
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            _session.Abort("transport error");
        }
    }

    private async Task CloseOutputAsync()
    {
        using var timeout = new CancellationTokenSource(_session.Options.PingTimeout, _session.TimeProvider);
        try
        {
            await _socket.CloseOutputAsync(_session.WebSocketCloseStatus, null, timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            _socket.Abort();
        }
    }
}
