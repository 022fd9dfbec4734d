using Microsoft.AspNetCore.Mvc;

namespace Gateways.Tests.Gateways;

public sealed record Note(string Text);

/// <summary>A DI singleton that records what handlers gave it.</summary>
public sealed class AuditLog
{
    public List<string> Entries { get; } = [];
}

/// <summary>A plain payload class, bound from the client's JSON.</summary>
public sealed class Preferences
{
    public string Theme { get; set; } = "";
}

/// <summary>A service taken with [FromServices] beside a positional payload.</summary>
[WebSocketGateway("/binding")]
public sealed class AuditGateway
{
    [SubscribeMessage("audit")]
    public int Audit(IGatewaySocket client, Note note, [FromServices] AuditLog log)
    {
        lock (log.Entries)
        {
            log.Entries.Add(note.Text);
            return log.Entries.Count;
        }
    }
}

/// <summary>A positional payload whose class could be mistaken for a service.</summary>
[WebSocketGateway("/binding")]
public sealed class PreferencesGateway
{
    [SubscribeMessage("preferences")]
    public string SetPreferences(IGatewaySocket client, Preferences preferences) => "theme=" + preferences.Theme;
}
