using Gateways.EngineIO;

namespace Gateways.Tests.Layers;

/// <summary>A session's send queue alone: order, the reader's wait, completion, cancellation and what it keeps.</summary>
public sealed class SendQueueTests
{
    private static OutgoingFrame Text(string text) => new(System.Text.Encoding.UTF8.GetBytes(text), OutgoingFrameKind.Text);

    private static string Read(SendQueue queue)
    {
        Assert.True(queue.TryRead(out var frame));
        return System.Text.Encoding.UTF8.GetString(frame.Data.Span);
    }

    [Fact]
    public void FramesComeOutInOrderAcrossGrowthAndWrapAround()
    {
        var queue = new SendQueue(new Lock());
        Assert.Equal(0, queue.Capacity);
        var expected = new Queue<string>();
        var next = 0;
        // Interleaved writes and reads move the head around the ring before and while it grows.
        for (var round = 0; round < 20; round++)
        {
            for (var i = 0; i < round % 7 + 1; i++)
            {
                Assert.True(queue.TryWrite(Text($"f{next}")));
                expected.Enqueue($"f{next++}");
            }
            for (var i = 0; i < round % 3 + 1 && expected.Count > 0; i++)
            {
                Assert.Equal(expected.Dequeue(), Read(queue));
            }
        }
        while (expected.Count > 0)
        {
            Assert.Equal(expected.Dequeue(), Read(queue));
        }
        Assert.False(queue.TryRead(out _));
    }

    [Fact]
    public void AnIdleQueueHoldsNoBufferAndADrainedBurstGivesItsLargeBufferBack()
    {
        var queue = new SendQueue(new Lock());
        Assert.Equal(0, queue.Capacity);
        queue.TryWrite(Text("one"));
        Assert.Equal(4, queue.Capacity);
        Read(queue);
        // A small buffer stays for the next frame; a burst's large one does not outlive the burst.
        Assert.Equal(4, queue.Capacity);
        for (var i = 0; i < 100; i++)
        {
            queue.TryWrite(Text($"burst {i}"));
        }
        Assert.True(queue.Capacity >= 100);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal($"burst {i}", Read(queue));
        }
        Assert.Equal(0, queue.Capacity);
    }

    [Fact]
    public async Task AWaitingReaderIsWokenByAWriteOnTheWritersThread()
    {
        var queue = new SendQueue(new Lock());
        var wait = queue.WaitToReadAsync();
        Assert.False(wait.IsCompleted);
        int? continuedOn = null;
        async Task ReadAsync()
        {
            // Without the test framework's synchronization context, as in ASP.NET Core.
            Assert.True(await wait.ConfigureAwait(false));
            continuedOn = Environment.CurrentManagedThreadId;
        }
        // Called here, the reader registers its continuation before this line returns.
        var reader = ReadAsync();
        Assert.False(reader.IsCompleted);
        var writerThread = -1;
        await Task.Run(() => { writerThread = Environment.CurrentManagedThreadId; queue.TryWrite(Text("x")); });
        await reader;
        // No thread-pool hop between a sender and the writer loop: the continuation ran inside TryWrite.
        Assert.Equal(writerThread, continuedOn);
        Assert.Equal("x", Read(queue));
    }

    [Fact]
    public async Task CompletionEndsTheWaitOnlyOnceTheQueueIsEmpty()
    {
        var queue = new SendQueue(new Lock());
        var wait = queue.WaitToReadAsync();
        queue.Complete();
        Assert.False(await wait);
        Assert.False(queue.TryWrite(Text("late")));

        var closing = new SendQueue(new Lock());
        closing.TryWrite(Text("last words"));
        closing.TryWrite(OutgoingFrame.Close);
        closing.Complete();
        Assert.True(await closing.WaitToReadAsync());
        Assert.Equal("last words", Read(closing));
        Assert.True(closing.TryRead(out var close));
        Assert.Equal(OutgoingFrameKind.Close, close.Kind);
        Assert.False(await closing.WaitToReadAsync());
    }

    [Fact]
    public async Task ACancelledWaitThrowsAndAStaleCancellationDoesNotEndTheNextWait()
    {
        var queue = new SendQueue(new Lock());
        using (var poll = new CancellationTokenSource())
        {
            var wait = queue.WaitToReadAsync(poll.Token);
            poll.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wait);
        }

        // The first poll's token fires after its wait ended with a frame: the next poll must not see it.
        using var first = new CancellationTokenSource();
        var firstWait = queue.WaitToReadAsync(first.Token);
        queue.TryWrite(Text("a"));
        Assert.True(await firstWait);
        Read(queue);
        using var second = new CancellationTokenSource();
        var secondWait = queue.WaitToReadAsync(second.Token);
        first.Cancel();
        Assert.False(secondWait.IsCompleted);
        queue.TryWrite(Text("b"));
        Assert.True(await secondWait);
        Read(queue);

        Assert.ThrowsAny<OperationCanceledException>(() => queue.WaitToReadAsync(new CancellationToken(canceled: true)).AsTask().GetAwaiter().GetResult());
    }

    [Fact]
    public async Task APollCancelledWhileASenderHoldsTheSendLockDoesNotDeadlockTheSender()
    {
        // The session's send lock: senders hold it while they queue, and the reader's continuation runs inside the write.
        var sendLock = new Lock();
        var queue = new SendQueue(sendLock);
        using var poll = new CancellationTokenSource();
        // The poll's continuation, as the polling transport's await runs it: inline, taking the result.
        var reader = queue.WaitToReadAsync(poll.Token).AsTask();
        // Registered after the queue's own callback, so it runs first (last in, first out): it says the cancelling
        // thread is about to enter the queue's callback, which then waits for the send lock.
        using var cancelling = new ManualResetEventSlim();
        using var signal = poll.Token.Register(cancelling.Set);

        var sender = new Thread(() =>
        {
            lock (sendLock)
            {
                var canceller = new Thread(poll.Cancel) { IsBackground = true };
                canceller.Start();
                cancelling.Wait();
                // Until the canceller is parked on the lock this thread holds (or the deadline: the race is then only likely).
                var deadline = DateTime.UtcNow.AddSeconds(5);
                while ((canceller.ThreadState & ThreadState.WaitSleepJoin) == 0 && DateTime.UtcNow < deadline)
                {
                    Thread.Yield();
                }
                // The write wakes the reader, whose continuation must not wait for the callback blocked on this lock.
                queue.TryWrite(Text("x"));
            }
        }) { IsBackground = true };
        sender.Start();

        Assert.True(sender.Join(TimeSpan.FromSeconds(30)), "the sender deadlocked with the poll's cancellation");
        Assert.True(await reader.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("x", Read(queue));
    }

    [Fact]
    public void OneReaderAtATime()
    {
        var queue = new SendQueue(new Lock());
        _ = queue.WaitToReadAsync();
        Assert.Throws<InvalidOperationException>(() => queue.WaitToReadAsync());
    }
}
