using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateways.EngineIO;

/// <summary>
/// Cross-origin answers of the Engine.IO endpoint, given by ASP.NET Core's CORS service: a policy built once from
/// <see cref="EngineIOCorsOptions"/>, or the app's own named policy. It runs inside the endpoint (not as middleware)
/// so the raw Engine.IO server needs no <c>AddCors()</c> of its app.
/// </summary>
internal sealed class EngineIOCors
{
    // The methods Node's `cors` package allows by default, which socket.io passes through.
    private static readonly string[] AllowedMethods = ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"];

    private readonly ICorsService _service;
    private readonly CorsPolicy? _policy;
    private readonly string? _policyName;
    private readonly ICorsPolicyProvider? _policyProvider;

    private EngineIOCors(ICorsService service, CorsPolicy? policy, string? policyName, ICorsPolicyProvider? policyProvider)
    {
        _service = service;
        _policy = policy;
        _policyName = policyName;
        _policyProvider = policyProvider;
    }

    /// <summary>The CORS of <paramref name="options"/>, or <see langword="null"/> when none is configured.</summary>
    /// <param name="options">The endpoint's settings.</param>
    /// <param name="services">The app's services: its CORS service and named policies, when registered.</param>
    /// <param name="loggerFactory">For the CORS service's own log when the app registered none.</param>
    /// <exception cref="InvalidOperationException">The settings are unsafe or name a policy that does not exist.</exception>
    public static EngineIOCors? Create(EngineIOCorsOptions options, IServiceProvider? services, ILoggerFactory loggerFactory)
    {
        if (options.Problem() is { } problem)
        {
            throw new InvalidOperationException(problem);
        }
        var service = services?.GetService<ICorsService>()
            ?? new CorsService(Options.Create(new CorsOptions()), loggerFactory);
        if (options.PolicyName is { } name)
        {
            var provider = services?.GetService<ICorsPolicyProvider>()
                ?? throw new InvalidOperationException($"Gateways:EngineIO:Cors:PolicyName is '{name}', but the app " +
                    "registers no CORS services: add builder.Services.AddCors(o => o.AddPolicy(\"" + name + "\", ...)).");
            // The default provider's policies are known now: a misspelt name fails at startup, not as missing headers.
            if (provider is DefaultCorsPolicyProvider
                && services!.GetRequiredService<IOptions<CorsOptions>>().Value.GetPolicy(name) is null)
            {
                throw new InvalidOperationException($"Gateways:EngineIO:Cors:PolicyName is '{name}', but no CORS " +
                    "policy of that name is registered with AddCors(o => o.AddPolicy(...)).");
            }
            return new EngineIOCors(service, null, name, provider);
        }
        if (options.AllowedOrigins.Count == 0)
        {
            return null;
        }
        var builder = new CorsPolicyBuilder().WithMethods(AllowedMethods).AllowAnyHeader();
        if (options.AllowedOrigins.Contains("*"))
        {
            builder.AllowAnyOrigin();
        }
        else
        {
            builder.WithOrigins([.. options.AllowedOrigins]);
        }
        if (options.AllowCredentials)
        {
            builder.AllowCredentials();
        }
        return new EngineIOCors(service, builder.Build(), null, null);
    }

    /// <summary>Writes the CORS headers a cross-origin request gets; returns whether it was a preflight, which is
    /// then answered (204) and needs nothing more.</summary>
    public async ValueTask<bool> ApplyAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.Headers.ContainsKey(CorsConstants.Origin))
        {
            return false; // Not a cross-origin browser request: no headers, as ASP.NET Core's CORS middleware.
        }
        var policy = _policy ?? await _policyProvider!.GetPolicyAsync(context, _policyName);
        var preflight = HttpMethods.IsOptions(request.Method)
            && request.Headers.ContainsKey(CorsConstants.AccessControlRequestMethod);
        if (policy is not null)
        {
            _service.ApplyResult(_service.EvaluatePolicy(context, policy), context.Response);
        }
        if (preflight)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        }
        return preflight;
    }
}
