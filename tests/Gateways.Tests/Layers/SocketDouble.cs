using System.Security.Claims;

namespace Gateways.Tests.Layers;

/// <summary>A socket for layer tests: an id, items and rooms it was told to leave; anything a layer should not touch
/// throws, so a test notices when it does.</summary>
internal class SocketDouble(string id, string @namespace = "/") : IGatewaySocket
{
    public string Id => id;
    public string Namespace => @namespace;
    public Handshake Handshake => throw new NotSupportedException();
    public ClaimsPrincipal? User { get; set; }
    public string? UserId { get; set; }
    public IReadOnlyCollection<string> Rooms => [];
    public bool Connected { get; set; } = true;
    public CancellationToken Disconnected => CancellationToken.None;
    public IDictionary<string, object?> Items { get; } = new Dictionary<string, object?>();
    public List<string> Left { get; } = [];
    public bool? DisconnectedWithClose { get; private set; }

    public void Join(string room) => throw new NotSupportedException();
    public void Join(IEnumerable<string> rooms) => throw new NotSupportedException();
    public void Leave(string room) => Left.Add(room);
    public void Emit(string eventName, params object?[] args) => throw new NotSupportedException();
    public bool EmitVolatile(string eventName, params object?[] args) => throw new NotSupportedException();
    public Task<EventArguments> EmitWithAckAsync(string eventName, TimeSpan timeout, params object?[] args) => throw new NotSupportedException();
    public IBroadcastOperator To(string room) => throw new NotSupportedException();
    public IBroadcastOperator Broadcast => throw new NotSupportedException();
    public void Disconnect(bool close = false) => DisconnectedWithClose = close;
}
