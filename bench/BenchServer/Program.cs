// The benchmark contract (a Node twin in bench/node-reference runs the same):
// dotnet run -c Release --project bench/BenchServer -- --urls http://127.0.0.1:PORT
using BenchServer;
using Gateways.Hosting;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
// --io-queues N sets Kestrel's SocketTransportOptions.IOQueueCount (bench/run.sh IO_QUEUES): 0 hands socket I/O straight
// to the thread pool, one hop less per echo but no batching of a broadcast's sends (docs/performance.md, "Tuning").
if (builder.Configuration["io-queues"] is { } ioQueues)
{
    builder.WebHost.UseSockets(sockets => sockets.IOQueueCount = int.Parse(ioQueues, System.Globalization.CultureInfo.InvariantCulture));
}
// --direct-websockets answers WebSocket upgrades on the connection (UseGatewaysWebSockets; bench/run.sh DIRECT_WS=1):
// an idle socket without Kestrel's HTTP/1.1 objects under it. It listens on --urls' port, on loopback.
if (builder.Configuration["direct-websockets"] is "true" or "1")
{
    var port = new Uri(builder.Configuration["urls"] ?? "http://127.0.0.1:3001").Port;
    builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, port, listen => listen.UseGatewaysWebSockets()));
}
builder.Services.AddGateways(options =>
    {
        // Load tests send far more than an interactive client; the per-socket rate limit would measure itself.
        options.RateLimit.Enabled = false;
    })
    .AddGateway<BenchGateway>();
var app = builder.Build();
app.MapGateways();
app.Run();

namespace BenchServer
{
    using Gateways;

    [WebSocketGateway]
    public sealed class BenchGateway
    {
        [WebSocketServer]
        public IGatewayServer Server { get; set; } = null!;

        /// <summary>echo (...args, ack) → ack(...args)</summary>
        [SubscribeMessage("echo")]
        public void Echo(GatewayEventContext context) => context.Ack(context.Arguments.ToArray());

        /// <summary>join (room, ack) → join, ack("ok")</summary>
        [SubscribeMessage("join")]
        public string Join([MessageBody(Index = 0)] string room, [ConnectedSocket] IGatewaySocket client)
        {
            client.Join(room);
            return "ok";
        }

        /// <summary>broadcast (room, payload, ack) → every socket in the room (sender too) gets bcast payload; ack("ok")</summary>
        [SubscribeMessage("broadcast")]
        public string Broadcast(GatewayEventContext context)
        {
            Server.To(context.Arguments.Get<string>(0)!).Emit("bcast", context.Arguments.ToArray()[1]);
            return "ok";
        }

        /// <summary>emit-back (payload) → the sender gets echo-back payload</summary>
        [SubscribeMessage("emit-back")]
        public void EmitBack(GatewayEventContext context) => context.Socket.Emit("echo-back", context.Arguments.ToArray());
    }
}
