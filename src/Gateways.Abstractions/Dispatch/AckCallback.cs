namespace Gateways;

/// <summary>The client's acknowledgement callback, bound with <see cref="AckAttribute"/>.</summary>
/// <param name="args">The values the client's callback receives.</param>
/// <returns><see langword="true"/> when this call sent the acknowledgement; only the first call does, and nothing is
/// sent when the client asked for none.</returns>
public delegate bool AckCallback(params object?[] args);
