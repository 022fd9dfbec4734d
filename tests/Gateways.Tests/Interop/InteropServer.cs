using System.Text.Json;
using Gateways.Hosting;
using Gateways.Namespaces;
using Microsoft.Extensions.DependencyInjection;
using Gateways.Tests.Infrastructure;

namespace Gateways.Tests.Interop;

/// <summary>The handlers the Node scenarios (tests/node/scenarios.mjs) talk to.</summary>
public static class InteropServer
{
    public static Task<TestGatewayServer> StartAsync(int port = 0, Action<GatewaysOptions>? options = null,
        bool directWebSockets = false, Action<Microsoft.AspNetCore.Builder.WebApplication>? configureApp = null) =>
        TestGatewayServer.StartAsync(Configure, options, port, configureApp, directWebSockets: directWebSockets);

    public static void Configure(IGatewaysBuilder gateways)
    {
        gateways.AddNamespace("/", ns => ns
            .On("echo", context => context.Ack(context.Arguments.ToArray()))
            .On("echo-binary", context =>
            {
                var bytes = context.Arguments.GetBinary(0);
                context.Ack(bytes, context.Arguments.Get<string>(1));
                context.Socket.Emit("bytes", new byte[] { 9, 8, 7, 255 });
            })
            .On("ask-me", async context =>
            {
                var answer = await context.Socket.EmitWithAckAsync("question", TimeSpan.FromSeconds(5),
                    context.Arguments.Get<string>(0));
                context.Ack(answer.Get<string>(0));
            })
            .On("ask-me-and-wait", async context =>
            {
                var wait = TimeSpan.FromMilliseconds(context.Arguments.Get<int>(0));
                try
                {
                    await context.Socket.EmitWithAckAsync("ignored-question", wait, "anyone?");
                    context.Ack("answered");
                }
                catch (TimeoutException ex)
                {
                    context.Ack("timeout", ex.Message);
                }
            })
            .On("join", context =>
            {
                context.Socket.Join(context.Arguments.Get<string>(0)!);
                context.Ack("joined");
            })
            .On("leave", context =>
            {
                context.Socket.Leave(context.Arguments.Get<string>(0)!);
                context.Ack("left");
            })
            .On("to-room", context =>
            {
                var server = context.Services.GetRequiredService<SocketIOServer>().Of("/");
                // ToArray keeps a binary argument binary (GetJson would give its placeholder).
                server.To(context.Arguments.Get<string>(0)!).Emit("room-message", context.Arguments.ToArray()[1]);
                context.Ack("sent");
            })
            .On("to-room-except-me", context =>
            {
                context.Socket.To(context.Arguments.Get<string>(0)!).Emit("room-message", context.Arguments.GetJson(1));
                context.Ack("sent");
            })
            .On("to-all-but-me", context =>
            {
                context.Socket.Broadcast.Emit("broadcast", context.Arguments.GetJson(0));
                context.Ack("sent");
            })
            .On("to-all", context =>
            {
                context.Services.GetRequiredService<SocketIOServer>().Of("/").Emit(context.Arguments.Get<string>(0)!);
                context.Ack("sent");
            })
            .On("kick-me", context => context.Socket.Disconnect())
            .On("fail", _ => throw new WsException("failed"))
            .On("fetch", async context =>
            {
                var server = context.Services.GetRequiredService<SocketIOServer>().Of("/");
                var sockets = await server.To(context.Arguments.Get<string>(0)!).FetchSocketsAsync();
                context.Ack((object)sockets.Select(s => new Dictionary<string, object> { ["id"] = s.Id, ["rooms"] = s.Rooms.ToArray() }).ToArray());
            })
            .On("all-rooms", async context =>
            {
                var server = (GatewayNamespace)context.Services.GetRequiredService<SocketIOServer>().Of("/");
                context.Ack((object)(await server.Adapter.AllRoomsAsync()).ToArray());
            })
            .On("ask-room", async context =>
            {
                var server = context.Services.GetRequiredService<SocketIOServer>().Of("/");
                var answers = await server.To(context.Arguments.Get<string>(0)!).EmitWithAckAsync("question", TimeSpan.FromSeconds(5), "q");
                context.Ack((object)answers.Select(a => a.Get<string>(0)).ToArray());
            })
            .On("make-join", context =>
            {
                var server = context.Services.GetRequiredService<SocketIOServer>().Of("/");
                server.To(context.Arguments.Get<string>(0)!).SocketsJoin(context.Arguments.Get<string>(1)!);
                context.Ack("done");
            }));

        gateways.AddNamespace("/private", ns => ns
            .Use(async (context, next) =>
            {
                var auth = context.Socket.Handshake.Auth;
                if (!auth.TryGetProperty("token", out var token) || token.GetString() != "letmein")
                {
                    throw new ConnectionRefusedException("Unauthorized", JsonElement.Parse("""{"hint":"token"}"""));
                }
                context.Socket.Items["name"] = "trusted";
                await next();
            })
            .On("whoami", context => context.Ack(context.Socket.Items["name"], context.Socket.Namespace)));
    }
}
