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

public sealed record QuoteRequest(string Symbol);

public sealed record Quote(string Symbol, decimal Price);

public sealed record Receipt(string Symbol, int Count);

/// <summary>Handler types that need JSON metadata: a body, a Task result, and a WsResponse's data.</summary>
[WebSocketGateway("/binding")]
public sealed class QuoteGateway
{
    [SubscribeMessage("quote")]
    public Task<Quote> GetQuote(QuoteRequest request) => Task.FromResult(new Quote(request.Symbol, 42.5m));

    [SubscribeMessage("subscribe")]
    public WsResponse<Receipt> Subscribe([MessageBody("symbol")] string symbol) => new("subscribed", new Receipt(symbol, 1));
}

/// <summary>The metadata an app under Native AOT declares for <see cref="QuoteGateway"/>.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(QuoteRequest))]
[System.Text.Json.Serialization.JsonSerializable(typeof(Quote))]
[System.Text.Json.Serialization.JsonSerializable(typeof(Receipt))]
internal sealed partial class QuoteJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
