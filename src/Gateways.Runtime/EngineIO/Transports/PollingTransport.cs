using System.Buffers;
using System.Buffers.Text;
using System.IO.Compression;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;

namespace Gateways.EngineIO.Transports;

/// <summary>
/// HTTP long-polling (Engine.IO protocol, "HTTP long-polling"): a GET waits for queued packets and returns them as
/// one payload; a POST carries a payload of client packets. Packets in a payload are separated by 0x1E and binary
/// ones are written "b" + base64.
/// </summary>
internal static class PollingTransport
{
    private const string TextContentType = "text/plain; charset=UTF-8";

    public static async Task HandleGetAsync(EngineIOSession session, HttpContext context)
    {
        if (!session.TryBeginPoll())
        {
            // Two concurrent GETs break packet ordering: the spec says close the session and answer 400.
            EngineIOLog.DuplicatePoll(session.Logger, session.Id);
            session.Abort("transport error");
            await EngineIOErrors.WriteAsync(context, EngineIOError.BadRequest);
            return;
        }
        try
        {
            await PollAsync(session, context);
        }
        finally
        {
            session.EndPoll();
        }
    }

    private static async Task PollAsync(EngineIOSession session, HttpContext context)
    {
        if (session.Upgrade == EngineIOSession.UpgradeState.Done)
        {
            await WriteFrameAsync(context, EngineIOFrames.Noop);
            return;
        }
        bool hasData;
        bool interrupted;
        // While an upgrade is probing, polls carry packets as usual; the probe tick ends one that waits, also one that
        // began before the probe did.
        var probeTick = session.ProbeTick;
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, session.PollInterrupt, probeTick))
        {
            // Only a poll that waits makes polling writable for volatile sends, not one that writes its payload.
            session.SetPollWaiting(true);
            try
            {
                hasData = await session.WaitForFramesAsync(wait.Token);
                interrupted = false;
            }
            catch (OperationCanceledException)
            {
                hasData = false;
                interrupted = true;
            }
            finally
            {
                session.SetPollWaiting(false);
            }
        }
        if (interrupted && context.RequestAborted.IsCancellationRequested)
        {
            // The reference server treats a poll that goes away as the end of the session.
            session.Abort("transport close");
            return;
        }
        if (interrupted)
        {
            var interrupt = session.IsOpen && (session.Upgrade != EngineIOSession.UpgradeState.None || probeTick.IsCancellationRequested)
                ? EngineIOFrames.Noop
                : session.PendingPollCloseFrame;
            await WriteFrameAsync(context, interrupt);
            return;
        }
        if (!hasData)
        {
            await WriteFrameAsync(context, session.PendingPollCloseFrame);
            session.Teardown();
            return;
        }
        await DrainAsync(session, context);
    }

    /// <summary>Writes every queued frame as one payload, straight into the response's buffer; or, for a client that
    /// accepts gzip or deflate, into a buffer first, compressed when it reaches the threshold.</summary>
    private static async Task DrainAsync(EngineIOSession session, HttpContext context)
    {
        var response = context.Response;
        response.ContentType = TextContentType;
        // A payload that will stay under the threshold goes straight into the response: no buffer to compress from.
        var encoding = session.QueuedBytes < session.Options.HttpCompression.Threshold
            ? null
            : AcceptedEncoding(session.Options.HttpCompression, context.Request);
        bool closeAfter;
        if (encoding is null)
        {
            closeAfter = WritePayload(session, response.BodyWriter);
            await response.BodyWriter.FlushAsync(context.RequestAborted);
            if (closeAfter)
            {
                session.Teardown();
            }
            return;
        }
        var buffered = new ArrayBufferWriter<byte>(1024);
        closeAfter = WritePayload(session, buffered);
        if (buffered.WrittenCount < session.Options.HttpCompression.Threshold)
        {
            await response.Body.WriteAsync(buffered.WrittenMemory, context.RequestAborted);
        }
        else
        {
            response.Headers.ContentEncoding = encoding;
            response.Headers.Vary = "Accept-Encoding";
            await using (Stream compressor = encoding == "gzip"
                ? new GZipStream(response.Body, CompressionLevel.Fastest, leaveOpen: true)
                : new DeflateStream(response.Body, CompressionLevel.Fastest, leaveOpen: true))
            {
                await compressor.WriteAsync(buffered.WrittenMemory, context.RequestAborted);
            }
        }
        if (closeAfter)
        {
            session.Teardown();
        }
    }

    /// <summary>gzip or deflate when compression is on and the request accepts one (gzip preferred), else null.</summary>
    private static string? AcceptedEncoding(EngineIOHttpCompressionOptions options, HttpRequest request)
    {
        if (!options.Enabled)
        {
            return null;
        }
        var gzip = false;
        var deflate = false;
        foreach (var accepted in request.GetTypedHeaders().AcceptEncoding)
        {
            // "gzip;q=0" refuses gzip (RFC 9110).
            if (accepted.Quality is 0)
            {
                continue;
            }
            gzip |= accepted.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase);
            deflate |= accepted.Value.Equals("deflate", StringComparison.OrdinalIgnoreCase);
        }
        return gzip ? "gzip" : deflate ? "deflate" : null;
    }

    /// <summary>Writes the queued frames as one payload; returns whether the session's close frame was among them.</summary>
    private static bool WritePayload(EngineIOSession session, IBufferWriter<byte> writer)
    {
        var first = true;
        var closeAfter = false;
        while (session.TryDequeue(out var frame))
        {
            session.OnFrameSent(frame.Data.Length);
            if (!first)
            {
                writer.GetSpan(1)[0] = EngineIOFrames.RecordSeparator;
                writer.Advance(1);
            }
            first = false;
            switch (frame.Kind)
            {
                case OutgoingFrameKind.Text:
                    writer.Write(frame.Data.Span);
                    break;
                case OutgoingFrameKind.Binary:
                    WriteBase64(writer, frame.Data.Span);
                    break;
                case OutgoingFrameKind.Close:
                    writer.Write(EngineIOFrames.CloseText);
                    closeAfter = true;
                    break;
            }
            if (closeAfter)
            {
                break;
            }
        }
        return closeAfter;
    }

    private static void WriteBase64(IBufferWriter<byte> writer, ReadOnlySpan<byte> data)
    {
        var length = 1 + Base64.GetMaxEncodedToUtf8Length(data.Length);
        var span = writer.GetSpan(length);
        span[0] = EngineIOFrames.BinaryPrefix;
        Base64.EncodeToUtf8(data, span[1..], out _, out var written);
        writer.Advance(1 + written);
    }

    private static async Task WriteFrameAsync(HttpContext context, byte[] frame)
    {
        context.Response.ContentType = TextContentType;
        context.Response.ContentLength = frame.Length;
        await context.Response.Body.WriteAsync(frame, context.RequestAborted);
    }

    public static async Task HandlePostAsync(EngineIOSession session, HttpContext context)
    {
        if (!session.IsOpen)
        {
            await EngineIOErrors.WriteAsync(context, EngineIOError.UnknownSid);
            return;
        }
        if (!session.TryBeginPost())
        {
            EngineIOLog.DuplicatePost(session.Logger, session.Id);
            session.Abort("transport error");
            await EngineIOErrors.WriteAsync(context, EngineIOError.BadRequest);
            return;
        }
        try
        {
            await ReceiveAsync(session, context);
        }
        finally
        {
            session.EndPost();
        }
    }

    private static async Task ReceiveAsync(EngineIOSession session, HttpContext context)
    {
        var maxPayload = session.Options.MaxPayload;
        if (context.Request.ContentLength > maxPayload)
        {
            await RejectTooLargeAsync(session, context);
            return;
        }
        var reader = context.Request.BodyReader;
        ReadResult result;
        while (true)
        {
            result = await reader.ReadAsync(context.RequestAborted);
            if (result.Buffer.Length > maxPayload)
            {
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                await RejectTooLargeAsync(session, context);
                return;
            }
            if (result.IsCompleted || result.IsCanceled)
            {
                break;
            }
            // Nothing is consumed until the whole body is in: payloads are parsed in one piece.
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
        var body = result.Buffer;
        List<(byte[] Data, bool IsBinary)> packets;
        try
        {
            if (!TryParsePayload(body, out packets))
            {
                session.RejectPacket("malformed polling payload");
                await EngineIOErrors.WriteAsync(context, EngineIOError.BadRequest);
                return;
            }
        }
        finally
        {
            reader.AdvanceTo(body.End);
        }
        foreach (var (data, isBinary) in packets)
        {
            if (!await session.ReceiveAsync(data, isBinary))
            {
                break;
            }
        }
        if (session.CloseReason == "parse error")
        {
            await EngineIOErrors.WriteAsync(context, EngineIOError.BadRequest);
            return;
        }
        context.Response.ContentType = "text/html";
        context.Response.ContentLength = 2;
        await context.Response.Body.WriteAsync("ok"u8.ToArray(), context.RequestAborted);
    }

    private static async Task RejectTooLargeAsync(EngineIOSession session, HttpContext context)
    {
        EngineIOLog.PayloadTooLarge(session.Logger, session.Id, session.Options.MaxPayload);
        session.Abort("payload too large");
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        await context.Response.CompleteAsync();
    }

    /// <summary>Splits a polling payload into packets. Each packet gets its own array, since the receiver keeps it.</summary>
    internal static bool TryParsePayload(ReadOnlySequence<byte> body, out List<(byte[] Data, bool IsBinary)> packets)
    {
        packets = [];
        if (body.IsEmpty)
        {
            return false;
        }
        var reader = new SequenceReader<byte>(body);
        while (!reader.End)
        {
            if (!reader.TryReadTo(out ReadOnlySequence<byte> record, EngineIOFrames.RecordSeparator))
            {
                record = reader.UnreadSequence;
                reader.AdvanceToEnd();
            }
            if (record.IsEmpty)
            {
                return false;
            }
            if (record.FirstSpan[0] == EngineIOFrames.BinaryPrefix)
            {
                var encoded = record.Slice(1).ToArray();
                var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(encoded.Length)];
                if (Base64.DecodeFromUtf8(encoded, decoded, out _, out var written) != OperationStatus.Done)
                {
                    return false;
                }
                packets.Add((written == decoded.Length ? decoded : decoded.AsSpan(0, written).ToArray(), true));
            }
            else
            {
                packets.Add((record.ToArray(), false));
            }
        }
        return true;
    }
}
