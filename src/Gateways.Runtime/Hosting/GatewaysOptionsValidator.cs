using Microsoft.Extensions.Options;

namespace Gateways.Hosting;

/// <summary>Refuses option combinations that are unsafe whatever the app means by them; runs at startup.</summary>
internal sealed class GatewaysOptionsValidator : IValidateOptions<GatewaysOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewaysOptions options)
    {
        var failures = new List<string>();
        var cors = options.EngineIO.Cors;
        if (cors.AllowCredentials && cors.AllowedOrigins.Contains("*"))
        {
            // As ASP.NET Core's CorsPolicyBuilder: '*' with credentials would reflect any origin with credentials.
            failures.Add("Gateways:EngineIO:Cors allows any origin ('*') together with AllowCredentials = true, which " +
                "would let every website make credentialed requests as your users. List the origins that may send " +
                "credentials in AllowedOrigins instead of '*', or set AllowCredentials to false.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
