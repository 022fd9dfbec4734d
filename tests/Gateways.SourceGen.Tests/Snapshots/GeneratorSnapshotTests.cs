using Gateways.SourceGen.Tests.Infrastructure;

namespace Gateways.SourceGen.Tests.Snapshots;

/// <summary>The generated source for representative gateways, compared with the verified files beside this one.</summary>
public sealed class GeneratorSnapshotTests
{
    [Fact]
    public void EveryParameterKind()
    {
        var (result, output) = GeneratorHarness.Run("""
            using System.Security.Claims;
            using System.Threading;
            using Gateways;

            namespace Chat;

            public sealed record RoomDto(string RoomId);
            public sealed record AppUser(string Id) : IWsUser<AppUser>
            {
                public static AppUser FromPrincipal(ClaimsPrincipal principal) => new(principal.Identity!.Name!);
            }
            public sealed class ChatService;

            [WebSocketGateway("/chat")]
            public sealed class ChatGateway
            {
                [SubscribeMessage("joinRoom")]
                public void JoinRoom([MessageBody] RoomDto room, [ConnectedSocket] IGatewaySocket client, CancellationToken cancellationToken) { }

                [SubscribeMessage("leaveRoom")]
                public void LeaveRoom([MessageBody("roomId")] string roomId, [MessageBody(Index = 1)] int? position, [MessageName] string eventName) { }

                [SubscribeMessage("whoami")]
                public void WhoAmI([WsUser] ClaimsPrincipal principal, [WsUser] AppUser? user, [Ack] AckCallback ack) { }

                [SubscribeMessage("positional")]
                public void Positional(IGatewaySocket client, RoomDto payload, [Microsoft.AspNetCore.Mvc.FromServices] ChatService service) { }

                [SubscribeMessage("plumbing")]
                public void Plumbing(GatewayEventContext context, IGatewayServer server, System.IServiceProvider services, [MessageBody] RoomDto body,
                    [Microsoft.Extensions.DependencyInjection.FromKeyedServices("archive")] ChatService archive) { }
            }
            """);

        Snapshot.Verify(result, output);
    }

    [Fact]
    public void EveryReturnKind()
    {
        var (result, output) = GeneratorHarness.Run("""
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using Gateways;

            namespace Results;

            [WebSocketGateway]
            public class ResultsGateway
            {
                [SubscribeMessage("void")] public void Void() { }
                [SubscribeMessage("task")] public Task TaskResult() => Task.CompletedTask;
                [SubscribeMessage("value-task")] public ValueTask ValueTaskResult() => default;
                [SubscribeMessage("value")] public int Value() => 1;
                [SubscribeMessage("task-of-t")] public Task<string> TaskOfT() => Task.FromResult("x");
                [SubscribeMessage("value-task-of-t")] public ValueTask<string> ValueTaskOfT() => new("x");
                [SubscribeMessage("response")] public WsResponse<int> Response() => new("e", 1);
                [SubscribeMessage("stream")] public async IAsyncEnumerable<int> Stream() { yield return 1; await Task.Yield(); }
            }
            """);

        Snapshot.Verify(result, output);
    }

    [Fact]
    public void LifecycleHooksAndServerProperty()
    {
        var (result, output) = GeneratorHarness.Run("""
            using System.Threading.Tasks;
            using Gateways;

            namespace App;

            [WebSocketGateway]
            public sealed class AppGateway : IOnGatewayInit, IOnGatewayConnectionAsync, IOnGatewayDisconnecting, IOnGatewayDisconnect, IOnSessionExpired
            {
                [WebSocketServer]
                public IGatewayServer Server { get; set; } = null!;

                public void AfterInit(IGatewayServer server) { }
                public ValueTask HandleConnectionAsync(IGatewaySocket client) => default;
                public void HandleDisconnecting(IGatewaySocket client, string reason) { }
                void IOnGatewayDisconnect.HandleDisconnect(IGatewaySocket client) { }
                public ValueTask HandleSessionExpiredAsync(ExpiredSession session) => default;

                [SubscribeMessage("message")]
                public void HandleMessage(IGatewaySocket client, object payload) => Server.Emit("message", payload);
            }
            """);

        Snapshot.Verify(result, output);
    }

    [Fact]
    public void CatchAllHandlers()
    {
        var (result, output) = GeneratorHarness.Run("""
            using Gateways;

            namespace Audit;

            [WebSocketGateway("/audit")]
            public sealed class AuditGateway
            {
                [SubscribeMessage("known")] public string Known() => "known";
                [UnhandledMessage] public string Unknown([MessageName] string name, GatewayEventContext context) => name + "/" + context.Arguments.Count;
                [OnAnyMessage] public void Seen([MessageName] string name) { }
                [OnAnyOutgoing] public void Sent(IGatewaySocket to, [MessageName] string name, GatewayEventContext context) { }
            }
            """);

        Snapshot.Verify(result, output);
    }

    [Fact]
    public void DynamicNamespaceWithItsValues()
    {
        var (result, output) = GeneratorHarness.Run("""
            using Gateways;

            namespace Tenants;

            [WebSocketGateway("/tenant-{id}/room-{room}")]
            public sealed class TenantGateway
            {
                [WebSocketServer] public IGatewayServer Server { get; set; } = null!;

                [SubscribeMessage("whoami")]
                public string WhoAmI([FromNamespace] string id, [FromNamespace("room")] int roomNumber, string? body) => id + roomNumber + body;
            }
            """);

        Snapshot.Verify(result, output);
    }

    [Fact]
    public void SeveralGatewaysOnOneNamespace()
    {
        var (result, output) = GeneratorHarness.Run("""
            using Gateways;

            namespace Shop;

            [WebSocketGateway("/shop")]
            public sealed class OrdersGateway
            {
                [SubscribeMessage("order")] public string Order([MessageBody] string id) => id;
            }

            [WebSocketGateway(Namespace = "/shop")]
            internal sealed class PricesGateway
            {
                [SubscribeMessage("price")] internal decimal Price([MessageBody] string symbol) => 1m;
            }
            """);

        Snapshot.Verify(result, output);
    }

    [Fact]
    public void GatewayInANamespacelessFile()
    {
        var (result, output) = GeneratorHarness.Run("""
            using Gateways;

            [WebSocketGateway]
            public sealed class GlobalGateway
            {
                [SubscribeMessage("ping")] public string Ping() => "pong";
            }
            """);

        Snapshot.Verify(result, output);
    }

    [Fact]
    public void NestedGatewayInANullableObliviousFile()
    {
        var (result, output) = GeneratorHarness.Run("""
            #nullable disable
            using System.Security.Claims;
            using Gateways;

            namespace Legacy
            {
                public static class Outer
                {
                    [WebSocketGateway("/legacy")]
                    public class InnerGateway
                    {
                        [SubscribeMessage("echo")] public string Echo([MessageBody] string text, [WsUser] ClaimsPrincipal user) => text;
                    }
                }
            }
            """);

        Snapshot.Verify(result, output);
    }

    [Fact]
    public void AuthorizationGuardsFiltersAndValidation()
    {
        var (result, output) = GeneratorHarness.Run("""
            using System.ComponentModel.DataAnnotations;
            using System.Threading.Tasks;
            using Gateways;
            using Microsoft.AspNetCore.Authorization;

            namespace Secure;

            public sealed record SendMessageDto([property: Required, StringLength(64, MinimumLength = 1)] string RoomId, string Text);
            public sealed class AdminGuard : IWsGuard { public ValueTask<bool> CanActivateAsync(GatewayEventContext context) => new(true); }
            public sealed class AuditFilter : IWsExceptionFilter { public ValueTask<bool> CatchAsync(System.Exception e, GatewayEventContext c) => new(false); }

            [WebSocketGateway("/secure", AcknowledgeErrors = true)]
            [Authorize]
            [UseGuards(typeof(AdminGuard))]
            [UseFilters(typeof(AuditFilter))]
            public sealed class SecureGateway
            {
                [SubscribeMessage("send")]
                [Authorize(Roles = "admin,editor")]
                [Authorize("Verified")]
                public string Send([MessageBody] SendMessageDto message) => message.Text;

                [SubscribeMessage("open")]
                [AllowAnonymous]
                public void Open() { }
            }
            """);

        Snapshot.Verify(result, output);
    }

    /// <summary>Typed server-to-client events and the contracts: the implementation of a [GatewayClientEvents]
    /// interface, and the TypeScript maps and AsyncAPI document of payloads that use what System.Text.Json writes
    /// (names, nullability, requiredness, enums both ways, collections, maps, binary, DataAnnotations limits).</summary>
    [Fact]
    public void ClientEventsAndTheContracts()
    {
        var (result, output) = GeneratorHarness.Run("""
            using System;
            using System.Collections.Generic;
            using System.ComponentModel.DataAnnotations;
            using System.Text.Json.Serialization;
            using System.Threading.Tasks;
            using Gateways;

            namespace Orders;

            [JsonConverter(typeof(JsonStringEnumConverter<Status>))]
            public enum Status { Open, Shipped }
            public enum Priority { Low = 1, High = 5 }

            public sealed record Line(string Sku, [property: Range(1, 99)] int Quantity);

            /// <summary>An order as clients see it.</summary>
            public sealed class Order
            {
                public required Guid Id { get; init; }
                [JsonPropertyName("placed_at")] public DateTimeOffset PlacedAt { get; init; }
                public Status Status { get; init; }
                public Priority? Priority { get; init; }
                public List<Line> Lines { get; init; } = [];
                public Dictionary<string, decimal> Totals { get; init; } = new();
                public string? Note { get; init; }
                [JsonIgnore] public string Secret { get; init; } = "";
                [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Order? Replaces { get; init; }
            }

            public sealed class PlaceOrder
            {
                [Required, StringLength(32, MinimumLength = 3)] public string? Customer { get; set; }
                [Required] public Line[]? Lines { get; set; }
            }

            /// <summary>What the orders namespace tells its clients.</summary>
            [GatewayClientEvents]
            public interface IOrderClient
            {
                /// <summary>An order changed.</summary>
                void OrderUpdated(Order order);
                [ClientEvent("receipt:ready")] void Receipt(Guid orderId, byte[] pdf);
                void Cleared();
            }

            [WebSocketGateway("/orders", ClientEvents = typeof(IOrderClient))]
            public sealed class OrdersGateway
            {
                /// <summary>Places an order; the ack is the order.</summary>
                [SubscribeMessage("place")]
                public Task<Order> Place([MessageBody] PlaceOrder order) => Task.FromResult(new Order { Id = Guid.Empty });

                [SubscribeMessage("rename")]
                public void Rename([MessageBody("id")] Guid id, [MessageBody("name")] string name) { }

                [SubscribeMessage("pair")]
                public bool Pair([MessageBody(Index = 0)] int left, [MessageBody(Index = 1)] int? right) => true;

                [SubscribeMessage("stats")]
                public Dictionary<string, long> Stats() => new();

                // Names AsyncAPI keys and TypeScript parameters cannot take as they are.
                [SubscribeMessage("note:add")] public bool NoteColon([MessageBody] string @class) => true;
                [SubscribeMessage("note_add")] public bool NoteUnderscore([MessageBody] string text) => true;
            }
            """);

        Snapshot.Verify(result, output);
    }

    /// <summary>A typed .NET client of a gateway: a send per handled event with its ack's type (none, typed, raw),
    /// positional and by-property payloads, and listeners for the gateway's client events.</summary>
    [Fact]
    public void TypedClientOfAGateway()
    {
        var (result, output) = GeneratorHarness.Run("""
            using System.Threading.Tasks;
            using Gateways;

            namespace Games;

            public sealed record Move(int X, int Y);

            [GatewayClientEvents]
            public interface IGameClient
            {
                void Moved(string player, Move move);
                [ClientEvent("game:over")] void GameOver(string winner);
                void Paused();
            }

            [WebSocketGateway("/games", ClientEvents = typeof(IGameClient))]
            public sealed class GameGateway
            {
                [SubscribeMessage("move")] public Task<bool> Play([MessageBody] Move move) => Task.FromResult(true);
                [SubscribeMessage("chat")] public void Chat([MessageBody("text")] string text, [MessageBody("to")] string? to) { }
                [SubscribeMessage("pair")] public int Pair([MessageBody(Index = 0)] int a, [MessageBody(Index = 1)] int b) => a + b;
                [SubscribeMessage("custom")] public void Custom(AckCallback ack) => ack("done");
                // Overloads: each its own event.
                [SubscribeMessage("ask:number")] public int Ask([MessageBody] int n) => n;
                [SubscribeMessage("ask:text")] public string Ask([MessageBody] string text) => text;
            }

            [GatewayClient(typeof(GameGateway))]
            public sealed partial class GameClient;
            """);

        Snapshot.Verify(result, output);
    }
}
