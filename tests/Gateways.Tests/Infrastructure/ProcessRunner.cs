using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateways.Tests.Infrastructure;

/// <summary>Runs external commands (dotnet, node, a published server) for the tests that need a real process.</summary>
public static class ProcessRunner
{
    public static async Task<string> RunAsync(string file, IEnumerable<string> arguments, string workingDirectory,
        TimeSpan timeout, IDictionary<string, string>? environment = null)
    {
        using var process = Start(file, arguments, workingDirectory, environment, out var output);
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{file} {string.Join(' ', arguments)}' ran past {timeout}:\n{output}");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{file} {string.Join(' ', arguments)}' exited {process.ExitCode}:\n{output}");
        }
        return output.ToString();
    }

    /// <summary>Starts a long-running process; its output collects into <paramref name="output"/>.</summary>
    public static Process Start(string file, IEnumerable<string> arguments, string workingDirectory,
        IDictionary<string, string>? environment, out StringBuilder output)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var collected = new StringBuilder();
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} could not be started.");
        process.OutputDataReceived += (_, e) => { lock (collected) { collected.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (collected) { collected.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output = collected;
        return process;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until something accepts TCP connections on the port.</summary>
    public static async Task WaitForPortAsync(int port, Process process, StringBuilder output, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {process.ExitCode}:\n{output}");
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"Nothing listened on port {port} within {timeout}:\n{output}");
    }
}
