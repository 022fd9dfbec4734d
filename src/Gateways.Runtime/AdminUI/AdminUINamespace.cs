using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateways.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateways.AdminUI;

/// <summary>
/// The admin namespace (<c>@socket.io/admin-ui</c> 0.5's protocol): a login middleware, <c>config</c> and
/// <c>all_sockets</c> for each page that connects, the page's operations (<c>emit</c>, <c>join</c>, <c>leave</c>,
/// <c>_disconnect</c>) unless read-only; and on every other namespace the listeners that report to the page.
/// </summary>
internal static class AdminUINamespace
{
    private const string InvalidCredentials = "invalid credentials";

    /// <summary>Runs on every namespace's builder (<see cref="GatewayDeclarations.EveryNamespace"/>).</summary>
    public static void Configure(GatewayNamespaceBuilder builder, IServiceProvider services)
    {
        var monitor = services.GetRequiredService<AdminUIMonitor>();
        var isAdmin = builder.Name == monitor.Options.NamespaceName;
        if (isAdmin)
        {
            ConfigureAdmin(builder, monitor, services.GetRequiredService<ILogger<AdminUIMonitor>>());
        }
        if (!monitor.WatchesEverything)
        {
            return;
        }
        // As Node's admin-ui: the admin namespace's own sockets are listed, its events are not.
        builder.OnConnection(monitor.SocketConnected);
        builder.OnDisconnect((socket, reason) =>
        {
            monitor.SocketDisconnected(socket, reason);
            return ValueTask.CompletedTask;
        });
        if (!isAdmin)
        {
            builder.OnAny(monitor.EventReceived);
            builder.OnAnyOutgoing(monitor.EventSent);
        }
    }

    private static void ConfigureAdmin(GatewayNamespaceBuilder builder, AdminUIMonitor monitor, ILogger logger)
    {
        var options = monitor.Options;
        if (!options.AllowAnonymous)
        {
            builder.Use((context, next) => LogInAsync(context, next, monitor, logger));
        }
        builder.OnConnection(async (socket, _) =>
        {
            socket.Emit("config", AdminUIJson.Build(json =>
            {
                json.WriteStartObject();
                json.WriteStartArray("supportedFeatures");
                if (!options.ReadOnly)
                {
                    foreach (var feature in (string[])["EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT"])
                    {
                        json.WriteStringValue(feature);
                    }
                }
                json.WriteStringValue("AGGREGATED_EVENTS");
                if (monitor.WatchesEverything)
                {
                    json.WriteStringValue("ALL_EVENTS");
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }));
            if (monitor.NewSessions.TryGetValue(socket, out var session))
            {
                monitor.NewSessions.Remove(socket);
                socket.Emit("session", session);
            }
            if (monitor.WatchesEverything)
            {
                socket.Emit("all_sockets", await monitor.AllSocketsAsync());
            }
        });
        if (options.ReadOnly)
        {
            return;
        }
        builder.On("emit", context =>
        {
            var args = context.Arguments;
            if (Target(context, 0, 1, logger, "emit") is { } target && Text(args, 2) is { } eventName)
            {
                var values = new object?[Math.Max(0, args.Count - 3)];
                for (var i = 3; i < args.Count; i++)
                {
                    values[i - 3] = args.IsBinary(i) ? args.GetBinary(i).ToArray() : args.GetJson(i);
                }
                target.Emit(eventName, values);
            }
        });
        builder.On("join", context =>
        {
            if (Target(context, 0, 2, logger, "join") is { } target && Text(context.Arguments, 1) is { } room)
            {
                target.SocketsJoin(room);
            }
        });
        builder.On("leave", context =>
        {
            if (Target(context, 0, 2, logger, "leave") is { } target && Text(context.Arguments, 1) is { } room)
            {
                target.SocketsLeave(room);
            }
        });
        builder.On("_disconnect", context =>
        {
            if (Target(context, 0, 2, logger, "disconnect") is { } target)
            {
                var close = context.Arguments.Count > 1 && !context.Arguments.IsBinary(1)
                    && context.Arguments.GetJson(1).ValueKind == JsonValueKind.True;
                target.DisconnectSockets(close);
            }
        });
    }

    /// <summary>Admits a page with a live session id, or with the user name and password (then a new session id is
    /// handed to it); refuses anything else with socket.io admin-ui's <c>invalid credentials</c>.</summary>
    private static async ValueTask LogInAsync(GatewayConnectContext context, Func<ValueTask> next, AdminUIMonitor monitor, ILogger logger)
    {
        var socket = context.Socket;
        var auth = socket.Handshake.Auth;
        if (Property(auth, "sessionId") is { Length: > 0 and <= 128 } sessionId && monitor.Sessions.IsValid(sessionId))
        {
            await next();
            return;
        }
        var username = Property(auth, "username");
        var password = Property(auth, "password");
        if (username is null || password is null || username.Length > 256 || password.Length > 1024)
        {
            AdminUILog.LoginRefused(logger, socket.Handshake.Address, "credentials missing or too long");
            throw new ConnectionRefusedException(InvalidCredentials);
        }
        if (!await monitor.Logins.WaitAsync(TimeSpan.FromSeconds(5), socket.Disconnected))
        {
            AdminUILog.LoginRefused(logger, socket.Handshake.Address, "too many logins at once");
            throw new ConnectionRefusedException(InvalidCredentials);
        }
        bool admitted;
        try
        {
            // The hash is checked whatever the name, so a wrong name takes as long as a wrong password.
            var passwordMatches = AdminUIPassword.Verify(monitor.Options.PasswordHash!, password);
            admitted = CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(username),
                Encoding.UTF8.GetBytes(monitor.Options.Username!)) && passwordMatches;
        }
        finally
        {
            monitor.Logins.Release();
        }
        if (!admitted)
        {
            AdminUILog.LoginRefused(logger, socket.Handshake.Address, InvalidCredentials);
            throw new ConnectionRefusedException(InvalidCredentials);
        }
        monitor.NewSessions.AddOrUpdate(socket, monitor.Sessions.Create());
        AdminUILog.LoggedIn(logger, socket.Handshake.Address);
        await next();
    }

    /// <summary>The sockets an operation targets: namespace <c>args[nsp]</c>, narrowed to the room <c>args[filter]</c>
    /// when it is given. Null (and logged) for a namespace this server does not have.</summary>
    private static IBroadcastOperator? Target(GatewayEventContext context, int nspIndex, int filterIndex, ILogger logger, string operation)
    {
        var args = context.Arguments;
        if (Text(args, nspIndex) is not { } name)
        {
            return null;
        }
        var filter = Text(args, filterIndex);
        AdminUILog.Operation(logger, operation, name, filter ?? "-", context.Socket.Handshake.Address);
        IGatewayServer server;
        try
        {
            server = context.Services.GetRequiredService<Namespaces.SocketIOServer>().Of(name);
        }
        catch (InvalidOperationException ex)
        {
            AdminUILog.OperationFailed(logger, operation, name, ex.Message);
            return null;
        }
        return string.IsNullOrEmpty(filter) ? server : server.To(filter);
    }

    private static string? Text(EventArguments args, int index) =>
        index < args.Count && !args.IsBinary(index) && args.GetJson(index) is { ValueKind: JsonValueKind.String } value
            ? value.GetString() : null;

    private static string? Property(JsonElement auth, string name) =>
        auth.ValueKind == JsonValueKind.Object && auth.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() : null;
}
