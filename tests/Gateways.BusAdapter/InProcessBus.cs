using System.Collections.Immutable;
using System.Threading.Channels;

namespace Gateways.BusAdapter;

/// <summary>
/// A message bus inside one process, standing in for NATS or Postgres LISTEN/NOTIFY: every subscriber gets every
/// message as bytes, in order, on a reader of its own (never on the publisher's thread, as with a real bus).
/// </summary>
public sealed class InProcessBus
{
    private ImmutableArray<Channel<byte[]>> _subscribers = [];

    /// <summary>How many subscriptions are open (one per namespace per server).</summary>
    public int SubscriberCount => _subscribers.Length;

    /// <summary>Publishes a message to every subscriber, the publisher included (it ignores its own).</summary>
    /// <param name="message">The message bytes.</param>
    public void Publish(byte[] message)
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber.Writer.TryWrite(message);
        }
    }

    /// <summary>Subscribes until the returned registration is disposed.</summary>
    /// <param name="onMessage">Called for each message, one at a time.</param>
    public IDisposable Subscribe(Func<byte[], Task> onMessage)
    {
        var channel = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
        ImmutableInterlocked.Update(ref _subscribers, list => list.Add(channel));
        _ = Task.Run(async () =>
        {
            await foreach (var message in channel.Reader.ReadAllAsync())
            {
                await onMessage(message);
            }
        });
        return new Subscription(this, channel);
    }

    private sealed class Subscription(InProcessBus bus, Channel<byte[]> channel) : IDisposable
    {
        public void Dispose()
        {
            ImmutableInterlocked.Update(ref bus._subscribers, list => list.Remove(channel));
            channel.Writer.TryComplete();
        }
    }
}
