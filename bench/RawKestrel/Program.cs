// The practical upper limit for bench/run.sh: plain WebSocket messages on Kestrel, no Socket.IO framing, no rooms
// library — what any real-time server on this box pays at least. Lean on purpose: a zero-byte read waits for data so an
// idle socket holds no receive buffer, and buffers come from the pool only while a message is handled.
// dotnet run -c Release --project bench/RawKestrel -- --urls http://127.0.0.1:PORT
// Protocol on /raw: any message is echoed; "J" joins the one room (answered "A"); "B<payload>" sends <payload> to
// every member of the room, then "A" to the sender.
using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
// --io-queues N sets Kestrel's SocketTransportOptions.IOQueueCount (bench/run.sh IO_QUEUES): 0 hands socket I/O straight
// to the thread pool, one hop less per echo but no batching of a broadcast's sends (docs/performance.md, "Tuning").
if (builder.Configuration["io-queues"] is { } ioQueues)
{
    builder.WebHost.UseSockets(sockets => sockets.IOQueueCount = int.Parse(ioQueues, System.Globalization.CultureInfo.InvariantCulture));
}
var app = builder.Build();
app.UseWebSockets();

var room = new ConcurrentDictionary<RawConnection, byte>();
app.Map("/raw", async context =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return;
    }
    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    var connection = new RawConnection(socket);
    try
    {
        await connection.RunAsync(room);
    }
    catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
    {
    }
    finally
    {
        room.TryRemove(connection, out _);
    }
});
app.Run();

internal sealed class RawConnection(WebSocket socket)
{
    private static readonly ReadOnlyMemory<byte> Answer = "A"u8.ToArray();
    private readonly SemaphoreSlim _sending = new(1, 1);

    public async Task RunAsync(ConcurrentDictionary<RawConnection, byte> room)
    {
        while (true)
        {
            await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
            var buffer = ArrayPool<byte>.Shared.Rent(4096);
            try
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return;
                }
                var message = buffer.AsMemory(0, result.Count);
                if (message.Span.SequenceEqual("J"u8))
                {
                    room.TryAdd(this, 0);
                    await SendAsync(Answer);
                }
                else if (message.Length > 0 && message.Span[0] == (byte)'B')
                {
                    await BroadcastAsync(room, message[1..]);
                    await SendAsync(Answer);
                }
                else
                {
                    await SendAsync(message);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Sends to every member; only the sends that do not complete at once are awaited, together.</summary>
    private static async Task BroadcastAsync(ConcurrentDictionary<RawConnection, byte> room, ReadOnlyMemory<byte> payload)
    {
        List<Task>? pending = null;
        foreach (var (member, _) in room)
        {
            var send = member.SendAsync(payload);
            if (!send.IsCompletedSuccessfully)
            {
                (pending ??= []).Add(send.AsTask());
            }
        }
        if (pending is not null)
        {
            try
            {
                await Task.WhenAll(pending);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
            {
            }
        }
    }

    private async ValueTask SendAsync(ReadOnlyMemory<byte> payload)
    {
        if (!_sending.Wait(0))
        {
            await _sending.WaitAsync();
        }
        try
        {
            await socket.SendAsync(payload, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sending.Release();
        }
    }
}
