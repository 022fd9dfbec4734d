using System.Globalization;

namespace Gateways.Recovery;

/// <summary>Orders recovery offsets of the shape both stores write, <c>{a}-{n}</c>: Redis stream ids (both parts
/// numbers) and the memory store's <c>{prefix}-{n}</c> (same prefix, then the number).</summary>
internal static class Offsets
{
    /// <summary>Whether <paramref name="offset"/> comes after <paramref name="through"/>; true when they cannot be
    /// compared (an empty or foreign <paramref name="through"/>), so nothing is held back by mistake.</summary>
    public static bool IsAfter(string offset, string? through)
    {
        if (string.IsNullOrEmpty(through) || !TrySplit(offset, out var head, out var n) || !TrySplit(through, out var throughHead, out var throughN))
        {
            return true;
        }
        if (ulong.TryParse(head, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            && ulong.TryParse(throughHead, NumberStyles.None, CultureInfo.InvariantCulture, out var throughMs))
        {
            return ms != throughMs ? ms > throughMs : n > throughN;
        }
        return !head.SequenceEqual(throughHead) || n > throughN;
    }

    private static bool TrySplit(string offset, out ReadOnlySpan<char> head, out ulong n)
    {
        var dash = offset.LastIndexOf('-');
        head = dash > 0 ? offset.AsSpan(0, dash) : default;
        n = 0;
        return dash > 0 && ulong.TryParse(offset.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out n);
    }
}
