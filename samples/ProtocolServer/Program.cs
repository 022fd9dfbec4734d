// The server the official conformance suites expect (see the "Test suite" sections of the Engine.IO and Socket.IO
// protocol READMEs): `dotnet run` serves the socket.io suite, `dotnet run -- --engine-io` the engine.io suite, and
// `dotnet run -- --client-suite` the server of socket.io-client's own test suite (see ClientSuite.cs); add
// `--direct-websockets` to answer WebSocket upgrades with UseGatewaysWebSockets() (docs/server.md).
using Gateways.EngineIO;
using Gateways.Hosting;
using ProtocolServer;

var engineIOOnly = args.Contains("--engine-io");
var clientSuite = args.Contains("--client-suite");
var directWebSockets = args.Contains("--direct-websockets");
var port = clientSuite ? ClientSuite.Port : 3000;
var portIndex = Array.IndexOf(args, "--port");
if (portIndex >= 0 && (portIndex + 1 >= args.Length || !int.TryParse(args[portIndex + 1], out port)))
{
    Console.Error.WriteLine("usage: ProtocolServer [--engine-io | --client-suite] [--direct-websockets] [--port N]");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder(args);
if (directWebSockets)
{
    builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenLocalhost(port, listen => listen.UseGatewaysWebSockets()));
}
else
{
    builder.WebHost.UseUrls($"http://localhost:{port}");
}
builder.Logging.SetMinimumLevel(LogLevel.Warning);

var engineOptions = new EngineIOOptions
{
    PingInterval = TimeSpan.FromMilliseconds(300),
    PingTimeout = TimeSpan.FromMilliseconds(200),
    MaxPayload = 1_000_000,
    Cors = { AllowedOrigins = { "*" } },
};

if (clientSuite)
{
    ClientSuite.Configure(builder.Services);
}
else if (!engineIOOnly)
{
    builder.Services.AddGateways(options =>
        {
            options.EngineIO = engineOptions;
            options.ConnectTimeout = TimeSpan.FromMilliseconds(1000);
        })
        .AddGateway<ProtocolGateway>()
        .AddGateway<CustomNamespaceGateway>();
}

var app = builder.Build();
if (engineIOOnly)
{
    app.MapEngineIO("/engine.io/", new EchoApplication(), engineOptions);
}
else
{
    app.MapGateways();
}
app.Run();
return 0;

/// <summary>Sends every Engine.IO message back to its sender, as the engine.io suite expects.</summary>
internal sealed class EchoApplication : IEngineIOApplication, IEngineIOSessionHandler
{
    private readonly EngineIOSession? _session;

    public EchoApplication()
    {
    }

    private EchoApplication(EngineIOSession session) => _session = session;

    public IEngineIOSessionHandler OnOpen(EngineIOSession session) => new EchoApplication(session);

    public ValueTask OnMessageAsync(EngineIOMessage message)
    {
        _session!.Send(message);
        return ValueTask.CompletedTask;
    }

    public void OnClose(string reason)
    {
    }
}
