// A load generator for Socket.IO servers and a raw WebSocket baseline, over bare sockets so that it is not the limit.
// dotnet bench/LoadGen/bin/Release/net10.0/LoadGen.dll --url http://127.0.0.1:3190 --scenario echo --clients 100 --seconds 10
// Scenarios: echo, fanout, connect, idle (see Scenarios.cs); --protocol raw for bench/RawKestrel.
// Prints one line of key=value pairs, including the generator's own CPU per message.
using LoadGen;

var options = LoadOptions.Parse(args);
if (options.Engine is not ("epoll" or "async"))
{
    return Usage();
}
if (options is { Scenario: "echo", Engine: "epoll" } && !EpollEcho.IsSupported)
{
    // The echo line says engine=async, so a table built from it shows which loop measured.
    Console.Error.WriteLine("The epoll echo loop needs Linux on x86-64; using the async loop.");
}
return options.Scenario switch
{
    "echo" when options.Engine == "epoll" && EpollEcho.IsSupported => await EpollEcho.RunAsync(options),
    "echo" => await Scenarios.EchoAsync(options),
    "fanout" => await Scenarios.FanoutAsync(options),
    "connect" => await Scenarios.ConnectAsync(options),
    "idle" => await Scenarios.IdleAsync(options),
    "scale" => await ScaleScenario.RunAsync(options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: LoadGen --url URL --scenario echo|fanout|connect|idle|scale [--protocol socketio|raw] [--clients N] " +
        "[--seconds S] [--payload BYTES] [--concurrency C] [--inflight W] [--server-pid PID] [--engine epoll|async] " +
        "[--sources K] [--broadcasts B]");
    return 2;
}

internal sealed record LoadOptions(Uri Url, string Scenario, Protocol Protocol, int Clients, int Seconds, int PayloadBytes,
    int Concurrency, int InFlight, int ServerPid, string Engine, int Sources, int Broadcasts)
{
    public static LoadOptions Parse(string[] args)
    {
        string Value(string name, string fallback)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
        }
        return new LoadOptions(
            new Uri(Value("--url", "http://127.0.0.1:3190")),
            Value("--scenario", "echo"),
            Value("--protocol", "socketio") == "raw" ? Protocol.Raw : Protocol.SocketIO,
            int.Parse(Value("--clients", "100")),
            int.Parse(Value("--seconds", "10")),
            int.Parse(Value("--payload", "16")),
            int.Parse(Value("--concurrency", "10")),
            int.Parse(Value("--inflight", "1")),
            int.Parse(Value("--server-pid", "0")),
            Value("--engine", "epoll"),
            int.Parse(Value("--sources", "0")),
            int.Parse(Value("--broadcasts", "20")));
    }
}
