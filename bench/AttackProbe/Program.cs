// What an attacker with one valid token can make a server keep: the memory figures of docs/security.md.
//   dotnet run -c Release --project bench/AttackProbe -- serve --port P
//   dotnet run -c Release --project bench/AttackProbe -- attack <refused-connects|idle-handshakes|binary> --port P
// bench/attack-rss.sh runs both and reads the server's RSS around each attack.
using System.Net.WebSockets;
using System.Security.Claims;
using System.Text;
using AttackProbe;
using Gateways.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes("attack-probe-signing-key-long-enough-for-hs256"));
var port = int.Parse(Option("--port") ?? "3100", System.Globalization.CultureInfo.InvariantCulture);
var url = $"http://127.0.0.1:{port}";

switch (args.FirstOrDefault())
{
    case "serve":
        Serve();
        return 0;
    case "attack":
        return await Attacks.RunAsync(args.ElementAtOrDefault(1) ?? "", url, Token("mallory"));
    default:
        Console.Error.WriteLine("usage: serve --port P | attack <refused-connects|idle-handshakes|binary> --port P");
        return 2;
}

void Serve()
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.WebHost.UseUrls(url);
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.Services.AddAuthorization();
    builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
    {
        jwt.MapInboundClaims = false;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            IssuerSigningKey = key,
            ValidateIssuer = false,
            ValidateAudience = false,
            RoleClaimType = "role",
        };
    });
    // Options come from the environment too (Gateways__EngineIO__MaxPendingSessionsPerAddress=0), so the same probe
    // builds against older code that lacks them.
    builder.Services.AddGateways()
        .AddJwtAuthentication()
        .AddGateway<AdminGateway>()
        .AddGateway<EchoGateway>();
    var app = builder.Build();
    app.MapGateways();
    // After a full collection: what the server still holds, apart from memory the runtime keeps for reuse.
    app.MapGet("/gc", () =>
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return Results.Text(GC.GetTotalMemory(forceFullCollection: false).ToString(System.Globalization.CultureInfo.InvariantCulture));
    });
    app.Run();
}

string Token(string user) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
{
    Subject = new ClaimsIdentity([new Claim("sub", user)]),
    Expires = DateTime.UtcNow.AddDays(30),
    SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
});

string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

namespace AttackProbe
{
    using Gateways;
    using Microsoft.AspNetCore.Authorization;

    [WebSocketGateway("/admin")]
    [Authorize(Roles = "admin")]
    public sealed class AdminGateway
    {
        [SubscribeMessage("stats")]
        public int Stats() => 42;
    }

    [WebSocketGateway]
    public sealed class EchoGateway
    {
        [SubscribeMessage("echo")]
        public void Echo(GatewayEventContext context) => context.Ack(context.Arguments.ToArray());
    }

    internal static class Attacks
    {
        public static Task<int> RunAsync(string attack, string url, string token) => attack switch
        {
            "refused-connects" => RefusedConnectsAsync(url, token),
            "idle-handshakes" => IdleHandshakesAsync(url),
            "binary" => BinaryAsync(url, token),
            _ => Task.FromResult(2),
        };

        /// <summary>300 CONNECTs to /admin with a valid non-admin token and 0.9 MB of padding each, 10 per WebSocket.</summary>
        private static async Task<int> RefusedConnectsAsync(string url, string token)
        {
            var frame = Encoding.UTF8.GetBytes($"40/admin,{{\"token\":\"{token}\",\"pad\":\"{new string('x', 900_000)}\"}}");
            var refused = 0;
            for (var connection = 0; connection < 30; connection++)
            {
                using var socket = await OpenAsync(url);
                for (var i = 0; i < 10; i++)
                {
                    try
                    {
                        await socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
                        if ((await ReceiveAsync(socket))?.StartsWith("44/admin", StringComparison.Ordinal) == true)
                        {
                            refused++;
                        }
                    }
                    catch (WebSocketException)
                    {
                        break;
                    }
                }
            }
            Console.WriteLine($"refused-connects: {refused} refused");
            return 0;
        }

        /// <summary>5,000 polling handshakes as fast as one client opens them, never connecting a namespace.</summary>
        private static async Task<int> IdleHandshakesAsync(string url)
        {
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            var statuses = new Dictionary<int, int>();
            var started = System.Diagnostics.Stopwatch.StartNew();
            await Parallel.ForAsync(0, 5000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, _) =>
            {
                using var response = await http.GetAsync("/socket.io/?EIO=4&transport=polling");
                lock (statuses)
                {
                    statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
                }
            });
            Console.WriteLine($"idle-handshakes: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Value} x {s.Key}"))} in {started.Elapsed.TotalSeconds:F1} s");
            return 0;
        }

        /// <summary>50 connections, each announcing a 10-attachment packet and sending 0.9 MB attachments until the
        /// server closes it (or all ten are sent), then staying silent.</summary>
        private static async Task<int> BinaryAsync(string url, string token)
        {
            var attachment = new byte[900_000];
            var placeholders = string.Join(',', Enumerable.Range(0, 10).Select(n => $"{{\"_placeholder\":true,\"num\":{n}}}"));
            var packet = Encoding.UTF8.GetBytes($"4510-[\"echo\",{placeholders}]");
            var sockets = new List<ClientWebSocket>();
            var sent = 0;
            for (var connection = 0; connection < 50; connection++)
            {
                var socket = await OpenAsync(url);
                sockets.Add(socket);
                await socket.SendAsync(Encoding.UTF8.GetBytes($"40{{\"token\":\"{token}\"}}"), WebSocketMessageType.Text, true, CancellationToken.None);
                await ReceiveAsync(socket);
                try
                {
                    await socket.SendAsync(packet, WebSocketMessageType.Text, true, CancellationToken.None);
                    for (var i = 0; i < 9; i++)
                    {
                        await socket.SendAsync(attachment, WebSocketMessageType.Binary, true, CancellationToken.None);
                        sent++;
                    }
                }
                catch (WebSocketException)
                {
                }
            }
            Console.WriteLine($"binary: {sent} attachments of 0.9 MB sent over 50 connections");
            // Held open while the driver reads the server's memory.
            await Task.Delay(TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("HOLD_SECONDS") ?? "8", System.Globalization.CultureInfo.InvariantCulture)));
            foreach (var socket in sockets)
            {
                socket.Abort();
                socket.Dispose();
            }
            return 0;
        }

        private static async Task<ClientWebSocket> OpenAsync(string url)
        {
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri(url.Replace("http", "ws", StringComparison.Ordinal) + "/socket.io/?EIO=4&transport=websocket"), CancellationToken.None);
            await ReceiveAsync(socket);
            return socket;
        }

        private static async Task<string?> ReceiveAsync(ClientWebSocket socket)
        {
            var buffer = new byte[64 * 1024];
            using var message = new MemoryStream();
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }
                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    var text = Encoding.UTF8.GetString(message.ToArray());
                    if (text == "2")
                    {
                        await socket.SendAsync("3"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
                        message.SetLength(0);
                        continue;
                    }
                    return text;
                }
            }
        }
    }
}
