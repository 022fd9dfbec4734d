using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Tests.Gateways;

public sealed record Point(int X, int Y);

public sealed record TestUser(string Id, string Role) : IWsUser<TestUser>
{
    public static TestUser FromPrincipal(ClaimsPrincipal principal) =>
        new(principal.FindFirst("sub")?.Value ?? "?", principal.FindFirst(ClaimTypes.Role)?.Value ?? "none");
}

/// <summary>A scoped service: one instance per handled event.</summary>
public sealed class RequestCounter
{
    private static int s_instances;

    public int Instance { get; } = Interlocked.Increment(ref s_instances);
}

/// <summary>A keyed service.</summary>
public sealed record Greeting(string Text);

/// <summary>Every parameter kind and return kind the generator supports, each behind one event.</summary>
[WebSocketGateway("/sink")]
public sealed class KitchenSinkGateway
{
    [SubscribeMessage("body")]
    public Point Body([MessageBody] Point point) => point with { X = point.X + 1 };

    [SubscribeMessage("body-property")]
    public string BodyProperty([MessageBody("name")] string name, [MessageBody("count")] int count) => $"{name}x{count}";

    [SubscribeMessage("body-index")]
    public string BodyIndex([MessageBody(Index = 1)] string second, [MessageBody(Index = 0)] int first) => $"{first}:{second}";

    [SubscribeMessage("several")]
    public int Several([MessageBody] int[] all) => all.Sum();

    [SubscribeMessage("implicit")]
    public string Implicit(IGatewaySocket socket, Point payload, [FromServices] RequestCounter counter,
        [FromKeyedServices("formal")] Greeting greeting, CancellationToken cancellationToken) =>
        $"{payload.X},{payload.Y} scoped#{(counter.Instance > 0 ? "ok" : "?")} {greeting.Text} {cancellationToken.CanBeCanceled}";

    [SubscribeMessage("user")]
    public string User([WsUser] ClaimsPrincipal principal, [WsUser] TestUser user) => $"{principal.FindFirst("sub")?.Value}/{user.Role}";

    [SubscribeMessage("user-optional")]
    public string UserOptional([WsUser] ClaimsPrincipal? principal) => principal is null ? "anonymous" : "known";

    [SubscribeMessage("explicit-ack")]
    public void ExplicitAck([Ack] AckCallback ack, [MessageName] string eventName)
    {
        ack("first", eventName);
        ack("second is ignored");
    }

    [SubscribeMessage("respond")]
    public WsResponse<Point> Respond([MessageBody] Point point) => new("responded", point);

    [SubscribeMessage("stream")]
    public async IAsyncEnumerable<WsResponse<int>> Stream([MessageBody] int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 1; i <= count; i++)
        {
            await Task.Yield();
            yield return new WsResponse<int>("tick", i);
        }
    }

    [SubscribeMessage("value-task")]
    public async ValueTask<string> ValueTaskResult([MessageBody] string text)
    {
        await Task.Yield();
        return text.ToUpperInvariant();
    }

    [SubscribeMessage("nothing")]
    public Task Nothing() => Task.CompletedTask;

    [SubscribeMessage("null-result")]
    public string? NullResult() => null;

    [SubscribeMessage("ws-exception")]
    public void Throws([MessageBody] string message) => throw new WsException(message);

    [SubscribeMessage("ws-exception-object")]
    public void ThrowsObject() => throw new WsException(new Dictionary<string, string> { ["code"] = "E42", ["status"] = "error" });

    [SubscribeMessage("crash")]
    public Task Crash() => throw new InvalidOperationException("secret detail");

    [SubscribeMessage("context")]
    public string Context(GatewayEventContext context, IGatewayServer server, IServiceProvider services) =>
        $"{context.EventName}@{server.Name} {services.GetService(typeof(RequestCounter)) is RequestCounter}";

    [SubscribeMessage("raw")]
    public JsonElement Raw(JsonElement payload) => payload;
}
