using System.Collections.Concurrent;
using System.Net;
using Gateways.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateways.Tests.Infrastructure;

/// <summary>A real Kestrel server on loopback running the Gateways runtime, with its log captured.</summary>
public sealed class TestGatewayServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestGatewayServer(WebApplication app, CapturingLoggerProvider logs)
    {
        _app = app;
        Logs = logs;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Url = address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal);
        Port = new Uri(Url).Port;
    }

    /// <summary>The base URL, such as <c>http://127.0.0.1:45123</c>.</summary>
    public string Url { get; }

    public int Port { get; }

    public CapturingLoggerProvider Logs { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a server; <paramref name="port"/> 0 picks a free port; <paramref name="directWebSockets"/>
    /// listens with <c>UseGatewaysWebSockets()</c>.</summary>
    public static async Task<TestGatewayServer> StartAsync(Action<IGatewaysBuilder> configure,
        Action<GatewaysOptions>? options = null, int port = 0, Action<WebApplication>? configureApp = null, string? applicationName = null,
        bool directWebSockets = false)
    {
        // The app's name decides which gateways AddGateways() discovers; by default it is the test host's, which has none.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = applicationName });
        if (directWebSockets)
        {
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseGatewaysWebSockets()));
        }
        else
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        }
        var logs = new CapturingLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        if (Environment.GetEnvironmentVariable("GATEWAYS_TEST_LOG") == "1")
        {
            builder.Logging.AddSimpleConsole();
        }
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        configure(builder.Services.AddGateways(options));
        var app = builder.Build();
        configureApp?.Invoke(app);
        app.MapGateways();
        await app.StartAsync();
        return new TestGatewayServer(app, logs);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Keeps every log entry so a test can assert that a bad input was logged.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Category, string Message)> Entries => [.. _entries];

    public bool Contains(LogLevel atLeast, string fragment) =>
        _entries.Any(e => e.Level >= atLeast && e.Message.Contains(fragment, StringComparison.Ordinal));

    /// <summary>Waits until a matching entry appears (log writes can trail the event that caused them).</summary>
    public async Task<bool> WaitForAsync(LogLevel atLeast, string fragment, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Contains(atLeast, fragment))
            {
                return true;
            }
            await Task.Delay(20);
        }
        return Contains(atLeast, fragment);
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter) =>
            provider._entries.Enqueue((logLevel, category, formatter(state, exception)));
    }
}
