namespace Gateways.SourceGen.Model;

/// <summary>A [SubscribeMessage] method in a class without [WebSocketGateway]: it runs only if some gateway derives
/// from that class. Immutable and structurally equal, so an unchanged one re-reports nothing new.</summary>
/// <param name="TypeName">The declaring class, fully qualified, to match against the gateways' base classes.</param>
/// <param name="TypeDisplay">The declaring class as the message shows it.</param>
/// <param name="MethodName">The handler method.</param>
/// <param name="Location">The method's name in source.</param>
internal sealed record OrphanHandler(string TypeName, string TypeDisplay, string MethodName, LocationInfo? Location);
