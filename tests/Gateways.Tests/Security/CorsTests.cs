using System.Net;
using Gateways.EngineIO;
using Gateways.Tests.Infrastructure;
using Gateways.Tests.Interop;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateways.Tests.Security;

/// <summary>The polling endpoint's CORS comes from ASP.NET Core's CORS service: listed origins, <c>*</c>, or the app's
/// own named policy; preflights are answered without opening a session; unsafe or dangling settings fail at
/// startup; and a real browser on another origin connects only when allowed.</summary>
public sealed class CorsTests
{
    private const string Handshake = "/socket.io/?EIO=4&transport=polling";

    private static Task<TestGatewayServer> StartAsync(Action<EngineIOCorsOptions> cors, Action<IServiceCollection>? services = null) =>
        TestGatewayServer.StartAsync(gateways =>
        {
            InteropServer.Configure(gateways);
            services?.Invoke(gateways.Services);
        }, options => cors(options.EngineIO.Cors));

    private static async Task<HttpResponseMessage> SendAsync(TestGatewayServer server, HttpMethod method, string? origin,
        params (string Name, string Value)[] headers)
    {
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        using var request = new HttpRequestMessage(method, Handshake);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }
        return await http.SendAsync(request);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private static Task<HttpResponseMessage> PreflightAsync(TestGatewayServer server, string origin) =>
        SendAsync(server, HttpMethod.Options, origin,
            ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "x-app-version,content-type"));

    [Fact]
    public async Task ListedOriginsGetCredentialsAndOthersGetNoCorsHeaders()
    {
        await using var server = await StartAsync(cors =>
        {
            cors.AllowedOrigins = ["https://app.example", "https://admin.example"];
            cors.AllowCredentials = true;
        });

        var listed = await SendAsync(server, HttpMethod.Get, "https://app.example");
        var other = await SendAsync(server, HttpMethod.Get, "https://evil.example");

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal("https://app.example", Header(listed, "Access-Control-Allow-Origin"));
        Assert.Equal("true", Header(listed, "Access-Control-Allow-Credentials"));
        Assert.Contains("Origin", Header(listed, "Vary") ?? ""); // The answer depends on the origin: caches must know.
        // CORS only tells the browser what it may read; the handshake itself is the origin check's job (403).
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Null(Header(other, "Access-Control-Allow-Origin"));
        Assert.Null(Header(other, "Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task APreflightIsAnsweredWithoutOpeningASession()
    {
        await using var server = await StartAsync(cors => { cors.AllowedOrigins = ["https://app.example"]; cors.AllowCredentials = true; });

        var listed = await PreflightAsync(server, "https://app.example");
        var other = await PreflightAsync(server, "https://evil.example");

        Assert.Equal(HttpStatusCode.NoContent, listed.StatusCode);
        Assert.Equal("https://app.example", Header(listed, "Access-Control-Allow-Origin"));
        Assert.Equal("true", Header(listed, "Access-Control-Allow-Credentials"));
        Assert.Contains("POST", Header(listed, "Access-Control-Allow-Methods"));
        Assert.Contains("x-app-version", Header(listed, "Access-Control-Allow-Headers"));
        Assert.Equal(HttpStatusCode.NoContent, other.StatusCode);
        Assert.Null(Header(other, "Access-Control-Allow-Origin"));
        Assert.Empty(await listed.Content.ReadAsByteArrayAsync());
        Assert.DoesNotContain(server.Logs.Entries, e => e.Message.Contains("Engine.IO session", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnyOriginGetsAStarAndRequestsWithoutAnOriginGetNoHeaders()
    {
        await using var server = await StartAsync(cors => cors.AllowedOrigins = ["*"]);

        var crossOrigin = await SendAsync(server, HttpMethod.Get, "https://anyone.example");
        var noOrigin = await SendAsync(server, HttpMethod.Get, origin: null);

        Assert.Equal("*", Header(crossOrigin, "Access-Control-Allow-Origin"));
        Assert.Null(Header(crossOrigin, "Access-Control-Allow-Credentials"));
        Assert.Equal(HttpStatusCode.OK, noOrigin.StatusCode);
        Assert.Null(Header(noOrigin, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task AnAppPolicyByNameDecidesWhatTheSettingsCannotSay()
    {
        await using var server = await StartAsync(cors => cors.PolicyName = "web", services => services.AddCors(o =>
            o.AddPolicy("web", policy => policy.WithOrigins("https://*.app.example").SetIsOriginAllowedToAllowWildcardSubdomains()
                .AllowAnyHeader().WithMethods("GET", "POST").AllowCredentials()
                .WithExposedHeaders("x-served-by").SetPreflightMaxAge(TimeSpan.FromMinutes(10)))));

        var subdomain = await SendAsync(server, HttpMethod.Get, "https://eu.app.example");
        var preflight = await PreflightAsync(server, "https://eu.app.example");
        var other = await SendAsync(server, HttpMethod.Get, "https://app.evil.example");

        Assert.Equal("https://eu.app.example", Header(subdomain, "Access-Control-Allow-Origin"));
        Assert.Equal("x-served-by", Header(subdomain, "Access-Control-Expose-Headers"));
        Assert.Equal("true", Header(subdomain, "Access-Control-Allow-Credentials"));
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal("600", Header(preflight, "Access-Control-Max-Age"));
        Assert.Null(Header(other, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task AnyOriginWithCredentialsIsRefusedAtStartup()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(cors => { cors.AllowedOrigins = ["*"]; cors.AllowCredentials = true; }));

        Assert.Contains("AllowCredentials", failure.Message);
        Assert.Contains("List the origins", failure.Message);
    }

    [Fact]
    public async Task APolicyNameBesideListedOriginsIsRefusedAtStartup()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(cors =>
        {
            cors.AllowedOrigins = ["https://app.example"];
            cors.PolicyName = "web";
        }, services => services.AddCors(o => o.AddPolicy("web", p => p.AllowAnyOrigin()))));

        Assert.Contains("'web'", failure.Message);
        Assert.Contains("one place", failure.Message);
    }

    [Fact]
    public async Task APolicyNameNoPolicyHasFailsAtStartup()
    {
        var misspelt = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(cors => cors.PolicyName = "wbe",
            services => services.AddCors(o => o.AddPolicy("web", p => p.AllowAnyOrigin()))));
        var noCors = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(cors => cors.PolicyName = "web"));

        Assert.Contains("'wbe'", misspelt.Message);
        Assert.Contains("no CORS policy of that name", misspelt.Message);
        Assert.Contains("AddCors", noCors.Message);
    }

    [Fact]
    public async Task ABrowserOnAListedOriginPollsAndOneOnAnotherOriginCannot()
    {
        const string chromium = "/usr/bin/chromium";
        Assert.True(File.Exists(chromium), "Debian's chromium is needed for the browser test; ./test.sh installs it with apt.");
        // The pages come from their own server; 'localhost' and '127.0.0.1' are two origins of that one server.
        await using var pages = await TestGatewayServer.StartAsync(_ => { }, configureApp: app =>
            app.MapGet("/", () => Results.Content("<!doctype html><title>another origin</title>", "text/html")));
        var allowed = $"http://localhost:{pages.Port}";
        await using var server = await StartAsync(cors => { cors.AllowedOrigins = [allowed]; cors.AllowCredentials = true; });

        var r = await NodeScenario.RunAsync("cors-browser", server.Url, timeout: TimeSpan.FromSeconds(60),
            input: new { chromium, allowed, refused = $"http://127.0.0.1:{pages.Port}" });

        Assert.Equal("acked: through CORS", r.GetProperty("allowed").GetString());
        Assert.StartsWith("connect_error", r.GetProperty("refused").GetString());
    }
}
