using System.Text;

namespace Gateways.SourceGen.Helpers;

/// <summary>C# and TypeScript names made from event and namespace names.</summary>
internal static class Names
{
    /// <summary><c>sendMessage</c> → <c>SendMessage</c>, <c>table:ready</c> → <c>TableReady</c>, <c>/admin-tools</c> →
    /// <c>AdminTools</c>; <paramref name="empty"/> when no letter or digit is left, prefixed when it starts with a digit.</summary>
    public static string Pascal(string name, string empty = "Event")
    {
        var text = new StringBuilder();
        var upper = true;
        foreach (var c in name)
        {
            if (!char.IsLetterOrDigit(c))
            {
                upper = true;
                continue;
            }
            text.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        return text.Length == 0 ? empty : char.IsDigit(text[0]) ? "N" + text : text.ToString();
    }

    /// <summary><paramref name="name"/>, or with the first number from 2 on (after <paramref name="separator"/>)
    /// that <paramref name="taken"/> does not hold yet; the result is added to it.</summary>
    public static string Unique(System.Collections.Generic.HashSet<string> taken, string name, string separator = "")
    {
        var candidate = name;
        for (var i = 2; !taken.Add(candidate); i++)
        {
            candidate = name + separator + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return candidate;
    }
}
