using System.Collections.Generic;

namespace Gateways.Namespaces;

/// <summary>
/// The syntax of a dynamic namespace's template, such as <c>/tenant-{id}</c>: the runtime and the source generator
/// (GW0019) compile this one file, so both accept and refuse the same templates. Kept to netstandard2.0's API.
/// </summary>
internal static class NamespaceTemplateSyntax
{
    /// <summary>Whether <paramref name="name"/> is meant as a template rather than a namespace name.</summary>
    public static bool IsTemplate(string name) => name.IndexOf('{') >= 0 || name.IndexOf('}') >= 0;

    /// <summary>Reads a template into its parts: literal text and value names, in order.</summary>
    /// <param name="template">The template.</param>
    /// <param name="parts">Literal text, then a value name, alternately (starting with text, which may be empty).</param>
    /// <param name="problem">What is wrong, when the template is malformed.</param>
    /// <returns>Whether the template is well formed.</returns>
    public static bool TryRead(string template, out List<string> parts, out string? problem)
    {
        parts = [];
        if (template.Length == 0 || template[0] != '/')
        {
            problem = "it must start with '/'.";
            return false;
        }
        var names = new HashSet<string>(System.StringComparer.Ordinal);
        var position = 0;
        while (true)
        {
            var open = template.IndexOfAny(['{', '}'], position);
            if (open < 0)
            {
                parts.Add(template.Substring(position));
                break;
            }
            if (template[open] == '}')
            {
                problem = $"'}}' at {open} closes nothing.";
                return false;
            }
            var close = template.IndexOfAny(['{', '}'], open + 1);
            if (close < 0 || template[close] == '{')
            {
                problem = $"'{{' at {open} is not closed.";
                return false;
            }
            var name = template.Substring(open + 1, close - open - 1);
            if (!IsValueName(name))
            {
                problem = $"'{{{name}}}' is not a value name (a letter or '_', then letters, digits or '_').";
                return false;
            }
            if (!names.Add(name))
            {
                problem = $"'{{{name}}}' appears twice.";
                return false;
            }
            if (open == position && parts.Count > 0)
            {
                problem = $"'{{{name}}}' follows another value directly; put a separator between them.";
                return false;
            }
            parts.Add(template.Substring(position, open - position));
            parts.Add(name);
            position = close + 1;
        }
        problem = names.Count == 0 ? "it has no '{value}'." : null;
        return problem is null;
    }

    private static bool IsValueName(string name)
    {
        if (name.Length == 0 || !(IsLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }
        foreach (var c in name)
        {
            if (!(IsLetter(c) || (c >= '0' && c <= '9') || c == '_'))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsLetter(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
