using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gateways.EngineIO.DirectUpgrade;

/// <summary>What a peek at a connection's first bytes decided.</summary>
internal enum UpgradePeek
{
    /// <summary>Not the whole head yet, and nothing so far says it is not ours: read more.</summary>
    NeedMore,

    /// <summary>Anything but a plain WebSocket upgrade to the Engine.IO path: Kestrel's HTTP layer serves it.</summary>
    NotOurs,

    /// <summary>A complete, well-formed WebSocket upgrade to the Engine.IO path.</summary>
    Ours,
}

/// <summary>
/// The head of an HTTP/1.1 WebSocket upgrade request, parsed only as far as deciding whether the direct path may
/// take it. Anything unusual (another method or path, a body, folded or malformed header lines, a head over
/// Kestrel's limits, compression asked for while the server compresses) is left to Kestrel, which answers it the
/// way it answers every request.
/// </summary>
internal sealed class UpgradeRequestHead
{
    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;

    private static ReadOnlySpan<byte> Get => "GET "u8;

    private UpgradeRequestHead(string target, string path, string queryString, IHeaderDictionary headers, string key)
    {
        Target = target;
        Path = path;
        QueryString = queryString;
        Headers = headers;
        Key = key;
    }

    /// <summary>The request target as sent: path and query.</summary>
    public string Target { get; }

    /// <summary>The path, without the query.</summary>
    public string Path { get; }

    /// <summary>The query with its leading <c>?</c>, or empty.</summary>
    public string QueryString { get; }

    /// <summary>The header fields; a repeated field has all its values.</summary>
    public IHeaderDictionary Headers { get; }

    /// <summary><c>Sec-WebSocket-Key</c>, which the 101 answers.</summary>
    public string Key { get; }

    /// <summary>Looks at the bytes read so far.</summary>
    /// <param name="buffer">Everything the connection has sent so far.</param>
    /// <param name="enginePath">The Engine.IO path, without its trailing slash (<c>/socket.io</c>).</param>
    /// <param name="maxHeadBytes">The most a head may take (Kestrel's request line and headers limits).</param>
    /// <param name="refuseDeflate">Whether a client asking for permessage-deflate goes to Kestrel (the server
    /// compresses, and only Kestrel's WebSocket negotiates it).</param>
    /// <param name="head">The parsed head when the answer is <see cref="UpgradePeek.Ours"/>.</param>
    /// <param name="headEnd">Where the head ends (what follows belongs to the WebSocket).</param>
    public static UpgradePeek Peek(in ReadOnlySequence<byte> buffer, string enginePath, int maxHeadBytes, bool refuseDeflate,
        out UpgradeRequestHead? head, out SequencePosition headEnd)
    {
        head = null;
        headEnd = buffer.Start;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> headBytes, EndOfHead, advancePastDelimiter: true))
        {
            if (!StartsLikeOurs(buffer, enginePath) || buffer.Length > maxHeadBytes)
            {
                return UpgradePeek.NotOurs;
            }
            return UpgradePeek.NeedMore;
        }
        if (headBytes.Length + EndOfHead.Length > maxHeadBytes)
        {
            return UpgradePeek.NotOurs;
        }
        headEnd = reader.Position;
        head = Parse(Encoding.Latin1.GetString(headBytes), enginePath, refuseDeflate);
        return head is null ? UpgradePeek.NotOurs : UpgradePeek.Ours;
    }

    /// <summary>Whether the bytes so far could still begin <c>GET {enginePath}</c>: a request for anything else is
    /// handed over at once rather than after its whole head.</summary>
    private static bool StartsLikeOurs(in ReadOnlySequence<byte> buffer, string enginePath)
    {
        Span<byte> start = stackalloc byte[Math.Min(Get.Length + enginePath.Length, 256)];
        var length = (int)Math.Min(buffer.Length, start.Length);
        buffer.Slice(0, length).CopyTo(start);
        start = start[..length];
        var prefix = Get.Length + enginePath.Length;
        for (var i = 0; i < start.Length && i < prefix; i++)
        {
            var expected = i < Get.Length ? Get[i] : (byte)enginePath[i - Get.Length];
            if (char.ToLowerInvariant((char)start[i]) != char.ToLowerInvariant((char)expected))
            {
                return false;
            }
        }
        return true;
    }

    private static UpgradeRequestHead? Parse(string text, string enginePath, bool refuseDeflate)
    {
        var lines = text.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine is not ["GET", { Length: > 0 } target, "HTTP/1.1"] || target[0] != '/')
        {
            return null;
        }
        var queryStart = target.IndexOf('?');
        var path = queryStart < 0 ? target : target[..queryStart];
        // Routing compares decoded paths: an encoded one is rare enough to leave to it.
        if (path.Contains('%') || !path.TrimEnd('/').Equals(enginePath, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        IHeaderDictionary headers = new HeaderDictionary();
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i];
            var colon = line.IndexOf(':');
            if (colon <= 0 || !IsToken(line.AsSpan(0, colon)) || HasControlCharacters(line))
            {
                return null; // Folded lines, a space before the colon, bare CRs or LFs: Kestrel refuses them, let it.
            }
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(' ', '\t');
            headers[name] = StringValues.Concat(headers[name], value);
        }
        // A Content-Length that is not a plain 0 (a body, or a value Kestrel would refuse) is left to Kestrel.
        if (headers.Host.Count != 1 || (headers.ContainsKey(HeaderNames.ContentLength) && headers.ContentLength != 0)
            || headers.TransferEncoding.Count > 0
            || !HasToken(headers.Upgrade, "websocket") || !HasToken(headers.Connection, "upgrade")
            || headers.SecWebSocketVersion.ToString() != "13" || !IsValidKey(headers.SecWebSocketKey)
            || (refuseDeflate && headers.SecWebSocketExtensions.ToString().Contains("permessage-deflate", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }
        return new UpgradeRequestHead(target, path, queryStart < 0 ? string.Empty : target[queryStart..], headers,
            headers.SecWebSocketKey.ToString());
    }

    private static bool IsToken(ReadOnlySpan<char> name)
    {
        foreach (var c in name)
        {
            if (c <= ' ' || c >= 127 || "\"(),/:;<=>?@[\\]{}".Contains(c))
            {
                return false;
            }
        }
        return true;
    }

    private static bool HasControlCharacters(string line)
    {
        foreach (var c in line)
        {
            if ((c < ' ' && c != '\t') || c == 127)
            {
                return true;
            }
        }
        return false;
    }

    private static bool HasToken(StringValues values, string token)
    {
        foreach (var value in values)
        {
            foreach (var part in (value ?? string.Empty).Split(','))
            {
                if (part.Trim().Equals(token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static bool IsValidKey(StringValues key)
    {
        Span<byte> decoded = stackalloc byte[18];
        return key.Count == 1 && Convert.TryFromBase64String(key.ToString(), decoded, out var length) && length == 16;
    }
}
