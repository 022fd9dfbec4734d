// The seed application: authenticated clients chat in rooms, get personal notifications and live prices, and
// messages are saved. See the README for the walk-through and the environment variables.
using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Chat.Gateways;
using Chat.Services;
using Gateways.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Mvc;
using Microsoft.IdentityModel.Tokens;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

var builder = WebApplication.CreateBuilder(args);
var settings = ChatSettings.FromConfiguration(builder.Configuration);

// `dotnet run --project samples/Chat -- token <userId>` prints a development token and exits.
if (args is ["token", var tokenUser, ..])
{
    Console.WriteLine(settings.CreateToken(tokenUser));
    return 0;
}

builder.ListenOnGatewaysPort();
builder.Services.AddSingleton(settings);
builder.Services.AddSingleton<ChatService>();
builder.Services.AddSingleton<NotificationService>();
builder.Services.AddValidation();
builder.Services.AddHealthChecks();
builder.Services.AddAuthorization();
builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
{
    jwt.MapInboundClaims = false;
    jwt.TokenValidationParameters = new TokenValidationParameters
    {
        IssuerSigningKey = settings.SigningKey,
        ValidIssuer = settings.Issuer,
        ValidateIssuer = settings.Issuer is not null,
        ValidAudience = settings.Audience,
        ValidateAudience = settings.Audience is not null,
        NameClaimType = "sub",
    };
});
var gateways = builder.Services.AddGateways(options =>
    {
        options.RateLimit.PermitsPerSecond = 20;
        options.RateLimit.Burst = 40;
        // A phone that loses signal for a moment gets its socket, rooms and missed messages back.
        options.ConnectionStateRecovery.Enabled = settings.RecoveryWindow > TimeSpan.Zero;
        options.ConnectionStateRecovery.MaxDisconnectionDuration = settings.RecoveryWindow;
    })
    .AddJwtAuthentication(); // ChatGateway and AppGateway are found: AddGateways() serves every [WebSocketGateway] of this project.
if (settings.RedisUrl is not null)
{
    // Rooms, broadcasts and notifications span every instance on that Redis (Node servers with
    // @socket.io/redis-adapter, or with @socket.io/redis-streams-adapter in streams mode, included).
    gateways.AddRedisAdapter(options =>
    {
        options.Configuration = settings.RedisUrl;
        options.Mode = settings.RedisMode;
    });
}

if (settings.AdminUI is { } admin)
{
    // The socket.io Admin UI (docs/observability.md): its page is served at /lib/admin-ui/, its namespace at /admin.
    gateways.AddAdminUI(options =>
    {
        options.Username = admin.User;
        options.PasswordHash = admin.PasswordHash;
        options.Mode = admin.Mode;
    });
}

if (settings.TelemetryExporter is { } exporter)
{
    // The runtime's meter and ActivitySource are both named "Gateways" (docs/observability.md).
    builder.Services.AddOpenTelemetry()
        .ConfigureResource(resource => resource.AddService("gateways-chat"))
        .WithTracing(tracing =>
        {
            tracing.AddSource("Gateways");
            _ = exporter == "console" ? tracing.AddConsoleExporter() : tracing.AddOtlpExporter();
        })
        .WithMetrics(metrics =>
        {
            metrics.AddMeter("Gateways");
            _ = exporter == "console" ? metrics.AddConsoleExporter() : metrics.AddOtlpExporter();
        });
}

var app = builder.Build();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();
app.MapGateways();
app.MapHealthChecks("/health");

// Every API body is small: 64 KB is far above the largest valid request and far below what could hurt (413 past it).
var api = app.MapGroup("/api").RequireAuthorization().WithMetadata(new RequestSizeLimitAttribute(64 * 1024));
api.MapPost("/notifications/{userId}", (string userId, NotificationRequest request, NotificationService notifications) =>
{
    if (!Validate(request, out var problem))
    {
        return problem;
    }
    notifications.NotifyUser(userId, request.Title!, request.Body!);
    return Results.Accepted();
});
api.MapPost("/prices", (PriceUpdate update, NotificationService notifications) =>
{
    if (!Validate(update, out var problem))
    {
        return problem;
    }
    notifications.PublishPrice(update.Symbol!, update.Price);
    return Results.Accepted();
});
api.MapGet("/rooms/{roomId}/messages", async (string roomId, ClaimsPrincipal principal, ChatService chat, CancellationToken cancellationToken) =>
    // Another user's personal room is theirs alone, its history included.
    chat.IsPersonalRoomOfAnother(roomId, ChatUser.FromPrincipal(principal).Id)
        ? Results.Problem(statusCode: StatusCodes.Status403Forbidden, detail: $"Room '{roomId}' is another user's private room.")
        : Results.Ok(await chat.GetRecentMessagesAsync(roomId, 50, cancellationToken)));

// The page can mint a token for a user name in development only: anyone could impersonate anyone with it.
if (app.Environment.IsDevelopment())
{
    app.MapPost("/dev/token", (DevTokenRequest request) =>
        string.IsNullOrWhiteSpace(request.UserId) ? Results.BadRequest() : Results.Ok(new { token = settings.CreateToken(request.UserId) }));
}

app.Run();
return 0;

static bool Validate(object value, out IResult problem)
{
    var results = new List<ValidationResult>();
    var valid = Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true);
    problem = valid ? Results.Empty : Results.ValidationProblem(results
        .GroupBy(r => r.MemberNames.FirstOrDefault() ?? "")
        .ToDictionary(g => g.Key, g => g.Select(r => r.ErrorMessage ?? "Invalid.").ToArray()));
    return valid;
}

internal sealed record NotificationRequest(
    [property: Required, StringLength(200)] string? Title,
    [property: Required, StringLength(2000)] string? Body);

internal sealed record PriceUpdate([property: Required, StringLength(16, MinimumLength = 1)] string? Symbol, decimal Price);

internal sealed record DevTokenRequest(string? UserId);
