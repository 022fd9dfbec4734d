using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Validation;

namespace Gateways.Tests.Security;

[ValidatableType]
public sealed class CreateRoomDto
{
    [Required]
    [StringLength(64, MinimumLength = 1)]
    public string? Name { get; set; }

    [Range(1, 100)]
    public int Capacity { get; set; } = 10;
}

/// <summary>Lets even numbers through.</summary>
public sealed class EvenNumberGuard : IWsGuard
{
    public ValueTask<bool> CanActivateAsync(GatewayEventContext context) =>
        new(context.Arguments.Count == 1 && context.Arguments.Get<int>(0) % 2 == 0);
}

/// <summary>Turns InvalidOperationException into a custom event.</summary>
public sealed class TeapotFilter : IWsExceptionFilter
{
    public ValueTask<bool> CatchAsync(Exception exception, GatewayEventContext context)
    {
        if (exception is not InvalidOperationException)
        {
            return new(false);
        }
        context.Socket.Emit("teapot", exception.Message);
        return new(true);
    }
}

/// <summary>Counts every handled event, as a metrics filter would.</summary>
public sealed class CountingFilter : IGatewayFilter
{
    public static int Calls;

    public async ValueTask InvokeAsync(GatewayEventContext context, GatewayEventHandler next)
    {
        Interlocked.Increment(ref Calls);
        await next(context);
    }
}

[WebSocketGateway]
public sealed class ProfileGateway
{
    [SubscribeMessage("whoami")]
    public object WhoAmI([ConnectedSocket] IGatewaySocket socket, [WsUser] ClaimsPrincipal user) =>
        new { userId = socket.UserId, name = user.FindFirst("name")?.Value, inUserRoom = socket.Rooms.Contains(socket.UserId!) };

    [SubscribeMessage("notify-user")]
    public string NotifyUser([MessageBody("userId")] string userId, [MessageBody("text")] string text, IGatewayServer server)
    {
        server.To(userId).Emit("notification", text);
        return "sent";
    }

    [SubscribeMessage("admin-only")]
    [Authorize(Roles = "admin")]
    public string AdminOnly() => "welcome admin";

    [SubscribeMessage("verified-only")]
    [Authorize("Verified")]
    public string VerifiedOnly() => "verified";

    [SubscribeMessage("guarded")]
    [UseGuards(typeof(EvenNumberGuard))]
    public string Guarded([MessageBody] int number) => $"ok {number}";

    [SubscribeMessage("create-room")]
    public string CreateRoom([MessageBody] CreateRoomDto room) => $"created {room.Name}";

    [SubscribeMessage("filtered")]
    [UseFilters(typeof(TeapotFilter))]
    public void Filtered() => throw new InvalidOperationException("I'm a teapot");

    [SubscribeMessage("ping")]
    public string Ping() => "pong";
}

[WebSocketGateway("/admin")]
[Authorize(Roles = "admin")]
public sealed class AdminGateway
{
    [SubscribeMessage("stats")]
    public int Stats() => 42;
}

[WebSocketGateway("/public")]
[AllowAnonymous]
public sealed class PublicGateway
{
    [SubscribeMessage("hello")]
    public string Hello([WsUser] ClaimsPrincipal? user) => user is null ? "anonymous" : "known";
}

[WebSocketGateway("/acks", AcknowledgeErrors = true)]
[AllowAnonymous]
public sealed class AckErrorsGateway
{
    [SubscribeMessage("fail")]
    public string Fail() => throw new WsException("nope");
}
