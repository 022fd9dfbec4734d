using Gateways.Recovery;

namespace Gateways.Tests.Recovery;

/// <summary>The order a recovered socket's hand-off relies on to send each replayed event once.</summary>
public sealed class OffsetsTests
{
    [Theory]
    [InlineData("1700000000001-0", "1700000000000-9", true)] // a later millisecond
    [InlineData("1700000000000-10", "1700000000000-9", true)] // numbers, not text: 10 after 9
    [InlineData("1700000000000-9", "1700000000000-9", false)] // the same entry
    [InlineData("1700000000000-3", "1700000000001-0", false)]
    [InlineData("a1b2c3-12", "a1b2c3-3", true)] // the memory store's prefix-number
    [InlineData("a1b2c3-3", "a1b2c3-12", false)]
    [InlineData("a1b2c3-1", "ffffff-9", true)] // another store's offset says nothing: never held back
    [InlineData("1700000000000-0", "", true)] // a client that sent no offset
    [InlineData("not-an-offset", "1700000000000-0", true)]
    public void AnOffsetIsAfterAnotherOnlyWhenItsStoreSaysSo(string offset, string through, bool after) =>
        Assert.Equal(after, Offsets.IsAfter(offset, through));
}
