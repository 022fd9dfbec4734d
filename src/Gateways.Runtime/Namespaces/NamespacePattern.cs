using System.Collections.Frozen;
using System.Text;
using System.Text.RegularExpressions;

namespace Gateways.Namespaces;

/// <summary>
/// The names a dynamic namespace serves: a template such as <c>/tenant-{id}</c> (each <c>{value}</c> one or more
/// characters other than <c>/</c>) or a regular expression, whose named groups are the values.
/// </summary>
internal sealed class NamespacePattern
{
    // A client picks the name it connects to: matching must stay cheap whatever it sends.
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    private readonly Regex _regex;
    private readonly string[] _valueNames;

    private NamespacePattern(string text, Regex regex)
    {
        Text = text;
        _regex = regex;
        _valueNames = [.. regex.GetGroupNames().Where(name => !int.TryParse(name, out _))];
    }

    /// <summary>The template or the regular expression, as declared: the parent namespace's name.</summary>
    public string Text { get; }

    /// <summary>Whether <paramref name="name"/> is a template rather than a namespace name.</summary>
    public static bool IsTemplate(string name) => NamespaceTemplateSyntax.IsTemplate(name);

    /// <summary>What is wrong with a template, or null (the generator reports the same as GW0019).</summary>
    public static string? Problem(string template) =>
        NamespaceTemplateSyntax.TryRead(template, out _, out var problem) ? null : problem;

    /// <summary>Reads a template; a malformed one is refused with what is wrong.</summary>
    /// <exception cref="ArgumentException">The template is malformed.</exception>
    public static NamespacePattern FromTemplate(string template)
    {
        if (!NamespaceTemplateSyntax.TryRead(template, out var parts, out var problem))
        {
            throw new ArgumentException($"Namespace template '{template}': {problem}", nameof(template));
        }
        var pattern = new StringBuilder("^");
        for (var i = 0; i < parts.Count; i++)
        {
            // Even parts are text, odd ones value names.
            pattern.Append(i % 2 == 0 ? Regex.Escape(parts[i]) : $"(?<{parts[i]}>[^/]+)");
        }
        pattern.Append('$');
        // Linear time whatever the name: no backtracking to exploit.
        return new NamespacePattern(template, new Regex(pattern.ToString(),
            RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.NonBacktracking, MatchTimeout));
    }

    /// <summary>Wraps an app's regular expression, with a match timeout when it has none.</summary>
    public static NamespacePattern FromRegex(Regex regex) =>
        new(regex.ToString(), regex.MatchTimeout == Regex.InfiniteMatchTimeout
            ? new Regex(regex.ToString(), regex.Options, MatchTimeout)
            : regex);

    /// <summary>Whether <paramref name="name"/> is one of this pattern's namespaces; if so, its values.</summary>
    /// <exception cref="RegexMatchTimeoutException">An app's expression took too long on this name.</exception>
    public bool TryMatch(string name, out FrozenDictionary<string, string> values)
    {
        var match = _regex.Match(name);
        if (!match.Success)
        {
            values = FrozenDictionary<string, string>.Empty;
            return false;
        }
        var found = new Dictionary<string, string>(_valueNames.Length, StringComparer.Ordinal);
        foreach (var valueName in _valueNames)
        {
            if (match.Groups[valueName] is { Success: true } group)
            {
                found[valueName] = group.Value;
            }
        }
        values = found.ToFrozenDictionary(StringComparer.Ordinal);
        return true;
    }
}
