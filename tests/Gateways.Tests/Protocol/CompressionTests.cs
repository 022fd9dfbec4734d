using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Gateways.Hosting;
using Gateways.Tests.Infrastructure;
using static Gateways.Tests.Infrastructure.RawPolling;

namespace Gateways.Tests.Protocol;

/// <summary>
/// Compression on the wire, as engine.io does it: WebSocket per-message deflate (RFC 7692) when enabled and offered,
/// for messages of at least the threshold; gzip/deflate of long-polling responses of at least the threshold for
/// clients that accept it. Read at the byte level: the RSV1 bit of each WebSocket frame, the Content-Encoding of
/// each poll.
/// </summary>
public sealed class CompressionTests
{
    private const int Large = 4096;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // with UseGatewaysWebSockets(): a deflate offer is left to Kestrel, which negotiates it
    public async Task PerMessageDeflateIsNegotiatedAndCompressesLargeMessagesOnly(bool directWebSockets)
    {
        await using var server = await StartAsync(options => options.EngineIO.PerMessageDeflate.Enabled = true, directWebSockets);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.Port);
        var stream = tcp.GetStream();

        var headers = await HandshakeAsync(stream, server.Port);
        Assert.Contains("permessage-deflate", headers, StringComparison.OrdinalIgnoreCase);

        var open = await ReadFrameAsync(stream);
        Assert.False(open.Compressed); // the open packet is under the threshold
        Assert.StartsWith("0{", open.Text);
        await SendMaskedAsync(stream, "40/deflate,");
        Assert.False((await ReadFrameAsync(stream)).Compressed);

        await SendMaskedAsync(stream, "42/deflate,1[\"large\"]");
        var answer = await ReadFrameAsync(stream);
        Assert.True(answer.Compressed);
        Assert.Equal($"43/deflate,1[\"{new string('x', Large)}\"]", answer.Text);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WithoutTheOptionTheOfferIsDeclined(bool directWebSockets)
    {
        await using var server = await StartAsync(_ => { }, directWebSockets);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.Port);
        var stream = tcp.GetStream();

        var headers = await HandshakeAsync(stream, server.Port);

        Assert.DoesNotContain("permessage-deflate", headers, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("0{", (await ReadFrameAsync(stream)).Text);
    }

    [Theory]
    [InlineData("gzip", "gzip")]
    [InlineData("deflate", "deflate")]
    [InlineData("gzip, deflate, br", "gzip")]
    [InlineData("gzip;q=0, deflate", "deflate")] // q=0 refuses gzip
    public async Task APollAtTheThresholdIsCompressedForAClientThatAcceptsItAndASmallOneIsNot(string acceptEncoding, string encoding)
    {
        await using var server = await StartAsync(_ => { });
        using var http = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = Timeout };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        var sid = await ConnectPollingAsync(http);
        await PostAsync(http, sid, "42/deflate,1[\"large\"]");

        using var response = await http.GetAsync($"/socket.io/?EIO=4&transport=polling&sid={sid}");

        Assert.Equal(encoding, Assert.Single(response.Content.Headers.ContentEncoding));
        await using var body = await response.Content.ReadAsStreamAsync();
        await using Stream decompressed = encoding == "gzip"
            ? new GZipStream(body, CompressionMode.Decompress)
            : new DeflateStream(body, CompressionMode.Decompress);
        using var reader = new StreamReader(decompressed, Encoding.UTF8);
        Assert.Equal($"43/deflate,1[\"{new string('x', Large)}\"]", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task HttpCompressionCanBeTurnedOff()
    {
        await using var server = await StartAsync(options => options.EngineIO.HttpCompression.Enabled = false);
        using var http = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = Timeout };
        http.DefaultRequestHeaders.AcceptEncoding.ParseAdd("gzip");
        var sid = await ConnectPollingAsync(http);
        await PostAsync(http, sid, "42/deflate,1[\"large\"]");

        using var response = await http.GetAsync($"/socket.io/?EIO=4&transport=polling&sid={sid}");

        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Equal($"43/deflate,1[\"{new string('x', Large)}\"]", await response.Content.ReadAsStringAsync());
    }

    private static Task<TestGatewayServer> StartAsync(Action<GatewaysOptions> options, bool directWebSockets = false) =>
        TestGatewayServer.StartAsync(gateways => gateways.AddNamespace("/deflate", ns =>
            ns.On("large", context => context.Ack(new string('x', Large)))), options, directWebSockets: directWebSockets);

    /// <summary>Connects a polling session to <c>/deflate</c>; the small CONNECT answer must come uncompressed.</summary>
    private static async Task<string> ConnectPollingAsync(HttpClient http)
    {
        using var open = await http.GetAsync("/socket.io/?EIO=4&transport=polling");
        Assert.Empty(open.Content.Headers.ContentEncoding);
        var body = await open.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body[1..]);
        var sid = json.RootElement.GetProperty("sid").GetString()!;
        await PostAsync(http, sid, "40/deflate,");
        using var connected = await http.GetAsync($"/socket.io/?EIO=4&transport=polling&sid={sid}");
        Assert.Empty(connected.Content.Headers.ContentEncoding);
        Assert.StartsWith("40/deflate,", await connected.Content.ReadAsStringAsync());
        return sid;
    }

    /// <summary>An RFC 6455 opening handshake that offers permessage-deflate; returns the response's headers.</summary>
    private static async Task<string> HandshakeAsync(NetworkStream stream, int port)
    {
        var request = $"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n" +
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var headers = new StringBuilder();
        var one = new byte[1];
        while (!headers.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            await ReadExactlyAsync(stream, one);
            headers.Append((char)one[0]);
        }
        Assert.StartsWith("HTTP/1.1 101", headers.ToString());
        return headers.ToString();
    }

    private static async Task<(bool Compressed, string Text)> ReadFrameAsync(NetworkStream stream)
    {
        var head = new byte[2];
        await ReadExactlyAsync(stream, head);
        var compressed = (head[0] & 0x40) != 0;
        Assert.Equal(0x81, head[0] & 0x8F); // FIN, text
        long length = head[1] & 0x7F;
        if (length >= 126)
        {
            var extended = new byte[length == 126 ? 2 : 8];
            await ReadExactlyAsync(stream, extended);
            length = extended.Aggregate(0L, (value, b) => (value << 8) | b);
        }
        var payload = new byte[length];
        await ReadExactlyAsync(stream, payload);
        if (!compressed)
        {
            return (false, Encoding.UTF8.GetString(payload));
        }
        // RFC 7692: the sender removed the final 00 00 FF FF of the deflate block; put it back to inflate.
        using var inflater = new DeflateStream(new MemoryStream([.. payload, 0x00, 0x00, 0xFF, 0xFF]), CompressionMode.Decompress);
        using var reader = new StreamReader(inflater, Encoding.UTF8);
        return (true, await reader.ReadToEndAsync());
    }

    /// <summary>A client text frame: masked, as RFC 6455 requires of clients, and uncompressed (RSV1 clear).</summary>
    private static async Task SendMaskedAsync(NetworkStream stream, string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        Assert.True(payload.Length < 126);
        byte[] mask = [0x12, 0x34, 0x56, 0x78];
        var frame = new byte[2 + 4 + payload.Length];
        frame[0] = 0x81;
        frame[1] = (byte)(0x80 | payload.Length);
        mask.CopyTo(frame, 2);
        for (var i = 0; i < payload.Length; i++)
        {
            frame[6 + i] = (byte)(payload[i] ^ mask[i % 4]);
        }
        await stream.WriteAsync(frame);
    }

    private static async Task ReadExactlyAsync(NetworkStream stream, byte[] buffer)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await stream.ReadExactlyAsync(buffer, timeout.Token);
    }
}
