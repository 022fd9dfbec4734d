using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Gateways.SourceGen.Model;

/// <summary>A source location as data (immutable and structurally equal); the Roslyn <see cref="Location"/> is
/// created only when a diagnostic is reported.</summary>
internal sealed record LocationInfo(string FilePath, int Start, int Length, int StartLine, int StartCharacter, int EndLine, int EndCharacter)
{
    public static LocationInfo? From(Location? location)
    {
        if (location is null || location.SourceTree is null)
        {
            return null;
        }
        var span = location.GetLineSpan().Span;
        return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan.Start, location.SourceSpan.Length,
            span.Start.Line, span.Start.Character, span.End.Line, span.End.Character);
    }

    public Location ToLocation() => Location.Create(FilePath, new TextSpan(Start, Length),
        new LinePositionSpan(new LinePosition(StartLine, StartCharacter), new LinePosition(EndLine, EndCharacter)));
}

/// <summary>A diagnostic as data until output time (immutable and structurally equal).</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public Diagnostic ToDiagnostic() => Diagnostic.Create(Diagnostics.DiagnosticDescriptors.ById(Id), Location?.ToLocation(),
        System.Linq.Enumerable.ToArray<object>(Arguments));
}

/// <summary>The result of parsing one gateway: its model (null when an error makes emitting pointless), its
/// diagnostics, its event declarations and its part of the contracts (null with the model).</summary>
internal sealed record GatewayParseResult(GatewayModel? Model, EquatableArray<DiagnosticInfo> Diagnostics,
    EquatableArray<EventDeclaration> Events, GatewayContract? Contract = null);
