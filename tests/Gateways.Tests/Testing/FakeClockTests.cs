using Gateways.Hosting;
using Gateways.Testing;
using Gateways.Tests.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Gateways.Tests.Testing;

/// <summary>Every timeout of the runtime reads the TimeProvider from DI, so a fake clock drives them: these tests
/// take milliseconds of wall time.</summary>
public sealed class FakeClockTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private WebApplication _app = null!;

    private Infrastructure.CapturingLoggerProvider Logs { get; } = new();

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.AddProvider(Logs);
        builder.Services.AddSingleton<TimeProvider>(_clock);
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = TestTokens.ValidationParameters;
        });
        builder.Services.AddGateways(options =>
            {
                options.EngineIO.PingInterval = TimeSpan.FromSeconds(25);
                // A long timeout on the fake clock leaves the client (on the real clock) ample time to answer pings
                // while the tests move time forward, however loaded the machine.
                options.EngineIO.PingTimeout = TimeSpan.FromMinutes(5);
                options.ConnectTimeout = TimeSpan.FromSeconds(45);
            })
            .AddJwtAuthentication()
            .AddNamespace("/", ns => ns.On("ask", async context =>
            {
                try
                {
                    await context.Socket.EmitWithAckAsync("question", TimeSpan.FromSeconds(5), "anyone?");
                    context.Ack("answered");
                }
                catch (TimeoutException)
                {
                    context.Ack("timed out");
                }
            }));
        _app = builder.Build();
        _app.MapGateways();
        await _app.StartAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<GatewayTestClient> ConnectAsync(bool answerPings = true, TimeSpan? tokenLifetime = null) =>
        GatewayTestClient.ConnectAsync(_app.GetTestServer(), new GatewayTestClientOptions
        {
            AnswerPings = answerPings,
            Token = GatewayTestTokens.CreateToken(_app.Services, "u1", lifetime: tokenLifetime),
        });

    [Fact]
    public async Task AClientThatNeverAnswersPingsIsClosedAfterPingIntervalPlusTimeout()
    {
        await using var client = await ConnectAsync(answerPings: false);

        _clock.Advance(TimeSpan.FromSeconds(25));
        Assert.False(await client.WaitForDisconnectAsync(TimeSpan.FromMilliseconds(100)));
        _clock.Advance(TimeSpan.FromMinutes(5));

        Assert.True(await client.WaitForDisconnectAsync(TimeSpan.FromSeconds(5)));
    }

    /// <summary>Moves the clock in steps much shorter than the ping timeout, leaving the client (on the real clock)
    /// time to answer each ping, as a healthy client would.</summary>
    private async Task AdvanceWithPongsAsync(TimeSpan total)
    {
        for (var moved = TimeSpan.Zero; moved < total; moved += TimeSpan.FromSeconds(10))
        {
            _clock.Advance(TimeSpan.FromSeconds(10));
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task AClientThatAnswersPingsStays()
    {
        await using var client = await ConnectAsync();

        await AdvanceWithPongsAsync(TimeSpan.FromMinutes(5));

        Assert.True(client.Connected);
        Assert.Null(client.DisconnectReason);
    }

    [Fact]
    public async Task AConnectionThatJoinsNoNamespaceIsClosedAfterTheConnectTimeout()
    {
        var socket = await _app.GetTestServer().CreateWebSocketClient()
            .ConnectAsync(new Uri("ws://localhost/socket.io/?EIO=4&transport=websocket"), CancellationToken.None);
        var buffer = new byte[1024];
        await socket.ReceiveAsync(buffer, CancellationToken.None); // the open packet

        _clock.Advance(TimeSpan.FromSeconds(45));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var closed = false;
        for (var i = 0; i < 5 && !closed; i++)
        {
            // A ping may come first: the heartbeat fires at 25 s of the 45.
            closed = (await socket.ReceiveAsync(buffer, timeout.Token)).MessageType == System.Net.WebSockets.WebSocketMessageType.Close;
        }

        Assert.True(closed);
    }

    [Fact]
    public async Task AServerAckTimesOutOnTheFakeClock()
    {
        await using var client = await ConnectAsync();

        var answer = client.EmitWithAckAsync<string>("ask");
        await client.WaitForAsync("question");
        _clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal("timed out", await answer);
    }

    [Fact]
    public async Task ASocketIsDisconnectedWhenItsTokenExpires()
    {
        await using var client = await ConnectAsync(tokenLifetime: TimeSpan.FromMinutes(10));

        await AdvanceWithPongsAsync(TimeSpan.FromMinutes(9));
        Assert.True(client.Connected);
        await AdvanceWithPongsAsync(TimeSpan.FromMinutes(2));

        var expired = await client.WaitForAsync("exception");
        Assert.Equal("Token expired", expired.GetJson(0).GetProperty("message").GetString());
        Assert.True(await client.WaitForDisconnectAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("io server disconnect", client.DisconnectReason);
    }
}
