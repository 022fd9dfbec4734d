using System.Diagnostics;
using System.Globalization;
using System.Text;
using Gateways.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateways.Tests.Chat;

/// <summary>samples/Chat started as a process, as a user runs it, on a free port with its own database.</summary>
public sealed class ChatSampleFixture : IAsyncLifetime
{
    public const string Secret = "chat-sample-test-secret-0123456789abcdef";
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"gateways-chat-{Guid.NewGuid():N}.db");
    private readonly Dictionary<string, string> _extraEnvironment;
    private Process? _process;

    public ChatSampleFixture()
        : this([])
    {
    }

    /// <summary>An instance with more environment, such as WS_REDIS_URL for a cluster.</summary>
    internal ChatSampleFixture(Dictionary<string, string> extraEnvironment) => _extraEnvironment = extraEnvironment;
    private StringBuilder _output = new();

    public int Port { get; } = ProcessRunner.FreePort();

    public string Url => $"http://localhost:{Port}";

    /// <summary>What the sample has printed so far (its log lines are read as they come, on another thread).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Waits until the sample has printed <paramref name="text"/>: its console logger writes from a queue of
    /// its own, so a line can arrive after the client that caused it has finished.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The sample did not print '{text}' within {timeout}:\n{Output}");
            }
            await Task.Delay(50);
        }
    }

    public static string SampleDirectory => Path.Combine(RepositoryPaths.Root, "samples", "Chat");

    /// <summary>The sample's build output for the configuration these tests were built in.</summary>
    public static string SampleAssembly
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
            var path = Path.Combine(SampleDirectory, "bin", configuration, "net10.0", "Chat.dll");
            return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: build Gateways.sln first (./test.sh does).");
        }
    }

    public Dictionary<string, string> Environment => new(_extraEnvironment)
    {
        ["WS_PORT"] = Port.ToString(CultureInfo.InvariantCulture),
        ["CHAT_DB"] = _database,
        ["JWT_SECRET"] = Secret,
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
    };

    public static string Token(string userId) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Claims = new Dictionary<string, object> { ["sub"] = userId },
        Expires = DateTime.UtcNow.AddHours(1),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret)), SecurityAlgorithms.HmacSha256),
    });

    public async Task InitializeAsync()
    {
        _process = ProcessRunner.Start("dotnet", [SampleAssembly], SampleDirectory, Environment, out _output);
        await ProcessRunner.WaitForPortAsync(Port, _process, _output, TimeSpan.FromSeconds(30));
    }

    public Task DisposeAsync()
    {
        _process?.Kill(entireProcessTree: true);
        _process?.WaitForExit();
        _process?.Dispose();
        foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(_database) + "*"))
        {
            File.Delete(file);
        }
        return Task.CompletedTask;
    }
}
