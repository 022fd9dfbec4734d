// The seed application: authenticated clients chat in rooms, get personal notifications and live prices, and
// messages are saved. See the README for the walk-through and the environment variables.
using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Chat.Gateways;
using Chat.Services;
using Gateways.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Validation;
using Microsoft.IdentityModel.Tokens;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

// Microsoft.Data.Sqlite finds its native library by reflection, which Native AOT does not keep: say it.
SQLitePCL.Batteries_V2.Init();
var builder = WebApplication.CreateBuilder(args);
var settings = ChatSettings.FromConfiguration(builder.Configuration);

// `dotnet run --project samples/Chat -- token <userId>` prints a development token and exits.
if (args is ["token", var tokenUser, ..])
{
    Console.WriteLine(settings.CreateToken(tokenUser));
    return 0;
}

// WebSockets answered on the connection, without Kestrel's HTTP request under each idle socket (docs/server.md).
// The chat's WebSockets authenticate by the handshake's token, so skipping the HTTP middleware costs them nothing.
builder.ListenOnGatewaysPortWith(listen => listen.UseGatewaysWebSockets());
builder.Services.AddSingleton(settings);
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ChatApiJson.Default));
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
    .AddJwtAuthentication() // ChatGateway and AppGateway are found: AddGateways() serves every [WebSocketGateway] of this project.
    .AddJsonSerializerContext(ChatGatewayJson.Default); // what the gateways bind and send, without reflection (AOT)
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
api.MapPost("/notifications/{userId}", async Task<IResult> (string userId, NotificationRequest request, NotificationService notifications, HttpContext http) =>
{
    if (await ProblemsOf(request, http) is { } problem)
    {
        return problem;
    }
    notifications.NotifyUser(userId, request.Title!, request.Body!);
    return Results.Accepted();
});
api.MapPost("/prices", async Task<IResult> (PriceUpdate update, NotificationService notifications, HttpContext http) =>
{
    if (await ProblemsOf(update, http) is { } problem)
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
        string.IsNullOrWhiteSpace(request.UserId) ? Results.BadRequest() : Results.Ok(new DevToken(settings.CreateToken(request.UserId))));
}

app.Run();
return 0;

// A 400 with every problem of a body, checked with the metadata AddValidation()'s generator emits for [ValidatableType]
// types (DataAnnotations' Validator would reflect, which Native AOT does not keep); null when the body is valid.
static async Task<IResult?> ProblemsOf(object body, HttpContext http)
{
    var options = http.RequestServices.GetRequiredService<IOptions<ValidationOptions>>().Value;
    if (!options.TryGetValidatableTypeInfo(body.GetType(), out var info))
    {
        throw new InvalidOperationException($"{body.GetType().Name} is not [ValidatableType].");
    }
    var context = new ValidateContext
    {
        ValidationOptions = options,
        ValidationContext = new ValidationContext(body, body.GetType().Name, http.RequestServices, items: null),
    };
    await info.ValidateAsync(body, context, http.RequestAborted);
    return context.ValidationErrors is { Count: > 0 } errors ? Results.ValidationProblem(errors) : null;
}

internal sealed record DevTokenRequest(string? UserId);

internal sealed record DevToken(string Token);

/// <summary>What the HTTP API reads and writes: System.Text.Json without reflection (Native AOT) knows only these.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(NotificationRequest))]
[JsonSerializable(typeof(PriceUpdate))]
[JsonSerializable(typeof(DevTokenRequest))]
[JsonSerializable(typeof(DevToken))]
[JsonSerializable(typeof(IReadOnlyList<ChatMessage>))]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
internal sealed partial class ChatApiJson : JsonSerializerContext;
