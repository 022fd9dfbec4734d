using System.Text.Json;
using Gateways.Hosting;
using Gateways.Namespaces;
using Gateways.Security;
using Gateways.Tests.Infrastructure;
using Gateways.Tests.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Tests.Hardening;

/// <summary>A real Kestrel server with JWT authentication, the <c>/admin</c> gateway (admins only) and the
/// <c>/hardening</c> gateway, plus raw-frame helpers for the attacks the hardening tests try.</summary>
internal static class HardeningServer
{
    public const string Namespace = "/hardening";

    public static Task<TestGatewayServer> StartAsync(Action<GatewaysOptions>? options = null,
        Action<IGatewaysBuilder>? configure = null, Action<GatewaysJwtOptions>? jwt = null) =>
        TestGatewayServer.StartAsync(gateways =>
        {
            gateways.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(bearer =>
            {
                bearer.MapInboundClaims = false;
                bearer.TokenValidationParameters = TestTokens.ValidationParameters;
                bearer.TokenValidationParameters.RoleClaimType = "role";
            });
            gateways.Services.AddAuthorization();
            gateways.AddJwtAuthentication(jwt).AddGateway<AdminGateway>().AddGateway<HardeningGateway>();
            configure?.Invoke(gateways);
        }, options);

    /// <summary>Opens a WebSocket session and connects <paramref name="nsp"/> with <paramref name="token"/>;
    /// returns the client and the CONNECT answer.</summary>
    public static async Task<(RawSocketIOClient Client, string? Answer)> ConnectAsync(string url, string? token,
        string nsp = Namespace)
    {
        var client = await RawSocketIOClient.ConnectAsync(url);
        await client.SendTextAsync(ConnectFrame(nsp, token));
        return (client, await client.ReceiveTextAsync());
    }

    public static string ConnectFrame(string nsp, string? token, string? extra = null) =>
        $"40{nsp},{{\"token\":{JsonSerializer.Serialize(token)}{extra}}}";

    /// <summary>The socket id from a CONNECT answer such as <c>40/hardening,{"sid":"…"}</c>.</summary>
    public static string SocketId(string? answer)
    {
        Assert.NotNull(answer);
        Assert.StartsWith($"40{Namespace},", answer);
        return JsonElement.Parse(answer[(Namespace.Length + 3)..]).GetProperty("sid").GetString()!;
    }

    public static GatewaySocket FindSocket(TestGatewayServer server, string socketId)
    {
        var io = server.Services.GetRequiredService<SocketIOServer>();
        Assert.True(io.TryGetNamespace(Namespace, out var @namespace));
        Assert.True(@namespace.TryGetLocalSocket(socketId, out var socket), $"socket '{socketId}' is not connected");
        return socket;
    }

    /// <summary>Emits <c>echo</c> with an ack and returns the answer frame, skipping other frames (exceptions,
    /// broadcasts) on the way; null when the connection closed.</summary>
    public static async Task<string?> EchoAsync(RawSocketIOClient client, string value, int ackId)
    {
        await client.SendTextAsync($"42{Namespace},{ackId}[\"echo\",{JsonSerializer.Serialize(value)}]");
        var expected = $"43{Namespace},{ackId}";
        while (await client.ReceiveTextAsync() is { } frame)
        {
            if (frame.StartsWith(expected, StringComparison.Ordinal))
            {
                return frame;
            }
        }
        return null;
    }
}
