using System.Text.Json;
using Gateways;
using Gateways.EngineIO;
using Gateways.Hosting;

namespace ProtocolServer;

/// <summary>
/// The server socket.io-client's own test suite talks to (its <c>test/support/server.ts</c>), rebuilt on Gateways:
/// <c>ProtocolServer --client-suite</c> listens on port 3210 as that suite expects. docs/protocol.md says how to run
/// the suite against it.
/// </summary>
internal static class ClientSuite
{
    public const int Port = 3210;

    public static void Configure(IServiceCollection services)
    {
        // The suite's server delays every handshake by 10 ms, to test the client's connect timeout.
        services.AddSingleton<IEngineIORequestFilter, DelayedRequests>();
        services.AddGateways(options =>
            {
                // Only the namespaces below: not the official suite's gateways of this assembly.
                options.DiscoverGateways = false;
                options.EngineIO.PingInterval = TimeSpan.FromSeconds(2);
                options.ConnectionStateRecovery.Enabled = true;
                // The suite connects hundreds of sockets from one address in a few seconds.
                options.RateLimit.Enabled = false;
                options.EngineIO.MaxPendingSessionsPerAddress = 1_000;
            })
            .AddJsonSerializerContext(ClientSuiteJsonContext.Default)
            .AddNamespace("/", MainNamespace)
            .AddNamespace("/foo", ns => ns.On("getId", context => context.Ack(context.Socket.Id)))
            .AddNamespace("/timeout_socket", _ => { })
            .AddNamespace("/valid", _ => { })
            .AddNamespace("/asd", _ => { })
            .AddNamespace("/abc", ns => ns.OnConnection(socket => socket.Emit("handshake", socket.Handshake)))
            .AddNamespace("/no", ns => ns.Use((_, _) =>
                throw new ConnectionRefusedException("Auth failed (custom namespace)")));
    }

    private static void MainNamespace(GatewayNamespaceBuilder ns)
    {
        ns.Use((context, next) => context.Socket.Handshake.Query.ContainsKey("fail")
            ? throw new ConnectionRefusedException("Auth failed (main namespace)")
            : next());

        ns.On("hi", context => context.Socket.Emit("hi"));
        ns.On("echo", context => context.Ack(First(context)));
        ns.On("ack", async context =>
        {
            var answer = await context.Socket.EmitWithAckAsync("ack", TimeSpan.FromSeconds(10));
            if (answer.Count == 2 && answer.Get<int>(0) == 5
                && answer.GetJson(1).TryGetProperty("test", out var test) && test.ValueKind == JsonValueKind.True)
            {
                context.Socket.Emit("got it");
            }
        });
        ns.On("getAckDate", context => context.Ack(DateTime.UtcNow));
        ns.On("getDate", context => context.Socket.Emit("takeDate", DateTime.UtcNow));
        ns.On("getDateObj", context => context.Socket.Emit("takeDateObj",
            new Dictionary<string, object?> { ["date"] = DateTime.UtcNow }));
        ns.On("getUtf8", context =>
        {
            foreach (var text in (string[])["てすと", "Я Б Г Д Ж Й", "Ä ä Ü ü ß", "utf8 — string", "utf8 — string"])
            {
                context.Socket.Emit("takeUtf8", text);
            }
        });
        ns.On("false", context => context.Socket.Emit("false", false));
        ns.On("doge", context => context.Socket.Emit("doge", "asdfasdf"u8.ToArray()));
        ns.On("buffa", context => EmitIf(context, IsBinary(context, 0), "buffack"));
        ns.On("jsonbuff", context => EmitIf(context, IsMixed(context), "jsonbuff-ack"));
        ns.On("abuff1", _ => { });
        ns.On("abuff2", context => context.Socket.Emit("abuff2-ack"));
        ns.On("blob", context => EmitIf(context, IsBinary(context, 0), "back"));
        ns.On("jsonblob", context => EmitIf(context, IsMixed(context), "jsonblob-ack"));
        ns.On("blob1", _ => { });
        ns.On("blob2", _ => { });
        ns.On("blob3", context => EmitIf(context, IsBinary(context, 0), "blob3-ack"));
        ns.On("getbin", context => context.Socket.Emit("takebin", "asdfasdf"u8.ToArray()));
        ns.On("getHandshake", context => context.Ack(context.Socket.Handshake));
        ns.On("getId", context => context.Ack(context.Socket.Id));
    }

    private static object? First(GatewayEventContext context) =>
        context.Arguments.Count == 0 ? null : context.Arguments.ToArray()[0];

    private static bool IsBinary(GatewayEventContext context, int index) =>
        context.Arguments.Count > index && context.Arguments.IsBinary(index);

    /// <summary>An object of JSON with a binary member, as the suite's <c>jsonbuff</c> and <c>jsonblob</c> send.</summary>
    private static bool IsMixed(GatewayEventContext context)
    {
        if (context.Arguments.Count == 0 || context.Arguments.IsBinary(0))
        {
            return false;
        }
        var body = context.Arguments.GetJson(0);
        return body.ValueKind == JsonValueKind.Object
            && body.TryGetProperty("hello", out var hello) && hello.ValueEquals("lol")
            && body.TryGetProperty("goodbye", out var goodbye) && goodbye.ValueEquals("gotcha")
            && body.TryGetProperty("message", out _);
    }

    private static void EmitIf(GatewayEventContext context, bool condition, string eventName)
    {
        if (condition)
        {
            context.Socket.Emit(eventName);
        }
    }

    private sealed class DelayedRequests : IEngineIORequestFilter
    {
        public async ValueTask<bool> AllowRequestAsync(HttpContext context)
        {
            await Task.Delay(10);
            return true;
        }
    }
}

/// <summary>What the suite's handlers send besides the runtime's own types: dates.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(DateTime))]
internal sealed partial class ClientSuiteJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
