using Microsoft.Extensions.Options;

namespace Gateways.Hosting;

/// <summary>Refuses option combinations that are unsafe whatever the app means by them; runs at startup.</summary>
internal sealed class GatewaysOptionsValidator : IValidateOptions<GatewaysOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewaysOptions options)
    {
        var failures = new List<string>();
        if (options.EngineIO.Cors.Problem() is { } corsProblem)
        {
            failures.Add(corsProblem);
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
