using System.Security.Claims;

namespace Gateways;

/// <summary>
/// An app type that <see cref="WsUserAttribute"/> can bind, built from the socket's claims without reflection (the
/// seed's <c>JwtPayloadType</c>, say).
/// </summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
public interface IWsUser<TSelf> where TSelf : IWsUser<TSelf>
{
    /// <summary>Builds the user from the authenticated principal.</summary>
    /// <param name="principal">The socket's user.</param>
    static abstract TSelf FromPrincipal(ClaimsPrincipal principal);
}
