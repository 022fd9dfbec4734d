using System.Buffers;
using System.Text;
using Gateways.EngineIO.Transports;

namespace Gateways.Tests.Protocol;

/// <summary>Polling payloads (Engine.IO protocol, "Packet encoding", "HTTP long-polling"): 0x1E between packets and
/// "b"+base64 for binary, including bodies that arrive split across several buffer segments.</summary>
public sealed class PollingPayloadTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void SplitsTextAndBinaryPacketsWhateverTheSegmentation(int segmentSize)
    {
        var body = Encoding.UTF8.GetBytes("4hello\u001ebAQIDBA==\u001e2\u001e4€");

        Assert.True(PollingTransport.TryParsePayload(Segmented(body, segmentSize), out var packets));

        Assert.Collection(packets,
            p => Assert.Equal(("4hello", false), (Encoding.UTF8.GetString(p.Data), p.IsBinary)),
            p =>
            {
                Assert.True(p.IsBinary);
                Assert.Equal(new byte[] { 1, 2, 3, 4 }, p.Data);
            },
            p => Assert.Equal(("2", false), (Encoding.UTF8.GetString(p.Data), p.IsBinary)),
            p => Assert.Equal(("4€", false), (Encoding.UTF8.GetString(p.Data), p.IsBinary)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("4a\u001e\u001e4b")]
    [InlineData("b!!notbase64")]
    public void RejectsMalformedPayloads(string body) =>
        Assert.False(PollingTransport.TryParsePayload(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(body)), out _));

    private static ReadOnlySequence<byte> Segmented(byte[] data, int size)
    {
        Segment? first = null;
        Segment? last = null;
        for (var offset = 0; offset < data.Length; offset += size)
        {
            var chunk = data.AsMemory(offset, Math.Min(size, data.Length - offset));
            if (last is null)
            {
                first = last = new Segment(chunk, 0);
            }
            else
            {
                last = last.Append(chunk);
            }
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
