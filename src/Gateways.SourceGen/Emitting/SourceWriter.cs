using System;
using System.Text;

namespace Gateways.SourceGen.Emitting;

/// <summary>A StringBuilder with an indentation level; multi-line text is re-indented line by line.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _builder = new();
    private int _indentation;

    public void Indent() => _indentation++;

    public void Unindent() => _indentation--;

    public void OpenBlock()
    {
        WriteLine("{");
        _indentation++;
    }

    public void CloseBlock(string suffix = "")
    {
        _indentation--;
        WriteLine("}" + suffix);
    }

    public void WriteLine() => _builder.Append('\n');

    public void WriteLine(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.Length > 0)
            {
                _builder.Append(' ', _indentation * 4).Append(line.TrimEnd('\r'));
            }
            _builder.Append('\n');
        }
    }

    public override string ToString() => _builder.ToString();
}
