namespace Gateways.Dispatch;

/// <summary>The gateways of one assembly, generated once per assembly; assembly scanning looks for it.</summary>
public interface IGatewayRegistration
{
    /// <summary>The descriptors of the assembly's gateways.</summary>
    IReadOnlyList<GatewayDescriptor> Gateways { get; }
}
