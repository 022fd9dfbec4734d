using System.Text.Json;

namespace Gateways.SocketIO;

/// <summary>Where a binary packet's placeholder below the top level lies, and the attachment it stands for.</summary>
/// <param name="Start">The offset of the placeholder object's <c>{</c>.</param>
/// <param name="End">The offset just past its <c>}</c>.</param>
/// <param name="Num">The attachment index.</param>
internal readonly record struct NestedPlaceholder(int Start, int End, int Num);

/// <summary>What one pass over an EVENT or ACK payload found: the event name, where each argument lies, how deep the
/// JSON nests, and the placeholders below the top level that binding must replace.</summary>
/// <param name="EventName">The event name (EVENT only; null for an ACK).</param>
/// <param name="Arguments">The arguments after the name.</param>
/// <param name="Depth">The deepest nesting of arrays and objects, the payload's own array counting as 1.</param>
/// <param name="Nested">The placeholders below the top level, or null when there are none.</param>
internal readonly record struct PayloadLayout(string? EventName, ArgumentSlice[] Arguments, int Depth,
    NestedPlaceholder[]? Nested);

/// <summary>
/// Reads the array payload of an EVENT or ACK packet in one pass over its bytes: it checks that the payload is one
/// well-formed JSON array (with a non-reserved event name first, for an EVENT), records where each argument lies
/// instead of materializing it, measures the nesting depth, and finds binary placeholders
/// (<c>{"_placeholder":true,"num":N}</c>). A top-level placeholder stands for its attachment; a nested one
/// (<c>emit("upload", { name, data: buffer })</c>) is replaced when binding by the attachment as a base64 string, which
/// System.Text.Json binds to a <see cref="byte"/>[] or <see cref="ReadOnlyMemory{T}"/> member at any depth. A
/// placeholder whose <c>num</c> is missing, not an integer or out of range makes the packet illegal, as in the
/// reference parser ("illegal attachments").
/// </summary>
internal static class SocketIOPayloadReader
{
    /// <summary>The reason given for a payload that is not the JSON its packet type requires.</summary>
    public const string InvalidPayload = "invalid payload";

    /// <summary>The reason given for a placeholder that points to no attachment.</summary>
    public const string IllegalAttachments = "illegal attachments";

    private static readonly JsonEncodedText PlaceholderName = JsonEncodedText.Encode("_placeholder");
    private static readonly JsonEncodedText NumName = JsonEncodedText.Encode("num");
    private static readonly JsonEncodedText[] ReservedUtf8 =
        [.. SocketIOPacketParser.ReservedEventNames.Select(name => JsonEncodedText.Encode(name))];

    /// <summary>Scans an EVENT (<c>["name", ...args]</c>) or ACK (<c>[...args]</c>) payload.</summary>
    /// <param name="payload">The UTF-8 JSON payload.</param>
    /// <param name="isEvent">Whether the payload starts with an event name.</param>
    /// <param name="attachmentCount">How many attachments the packet announced (0 for a text packet).</param>
    /// <param name="layout">What the scan found, when it succeeded.</param>
    /// <param name="error"><see cref="InvalidPayload"/> or <see cref="IllegalAttachments"/>, when it failed.</param>
    public static bool TryScan(ReadOnlySpan<byte> payload, bool isEvent, int attachmentCount, out PayloadLayout layout,
        out string? error)
    {
        layout = default;
        Span<ArgumentSlice> inline = stackalloc ArgumentSlice[8];
        List<ArgumentSlice>? overflow = null;
        List<NestedPlaceholder>? nested = null;
        var count = 0;
        string? eventName = null;
        var depth = 1;
        var elementStart = 0;
        var elementAttachment = -1;
        // A placeholder's own content is not looked into, as the reference parser replaces it whole.
        var placeholderEnd = -1;
        // The reader's default depth limit (64) bounds the stack; the app's lower limit is judged from Depth.
        var reader = new Utf8JsonReader(payload);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                error = InvalidPayload;
                return false;
            }
            while (reader.Read())
            {
                var level = reader.CurrentDepth;
                if (level == 0)
                {
                    continue; // the array's end; anything after it makes the reader throw
                }
                var token = reader.TokenType;
                if (token == JsonTokenType.PropertyName)
                {
                    continue;
                }
                var start = (int)reader.TokenStartIndex;
                if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    if (level == 1)
                    {
                        Add(ref inline, ref overflow, ref count, new ArgumentSlice(elementStart, (int)reader.BytesConsumed - elementStart, elementAttachment));
                    }
                    continue;
                }
                var isContainer = token is JsonTokenType.StartObject or JsonTokenType.StartArray;
                if (level == 1 && isEvent && eventName is null)
                {
                    if (isContainer || !TryReadEventName(ref reader, out eventName))
                    {
                        error = InvalidPayload;
                        return false;
                    }
                    continue;
                }
                if (!isContainer)
                {
                    if (level == 1)
                    {
                        Add(ref inline, ref overflow, ref count, new ArgumentSlice(start, (int)reader.BytesConsumed - start, -1));
                    }
                    continue;
                }
                depth = Math.Max(depth, level + 1);
                if (level == 1)
                {
                    elementStart = start;
                    elementAttachment = -1;
                }
                // A text packet is not reconstructed by the reference parser, but a top-level placeholder in one is
                // refused (it points past zero attachments); a binary packet's placeholders count at any depth.
                if (token != JsonTokenType.StartObject || start < placeholderEnd || (attachmentCount == 0 && level > 1))
                {
                    continue;
                }
                var kind = ClassifyObject(reader, attachmentCount, out var num, stopAtOtherKey: attachmentCount == 0);
                if (kind == PlaceholderKind.Illegal)
                {
                    error = IllegalAttachments;
                    return false;
                }
                if (kind == PlaceholderKind.Valid)
                {
                    var end = reader;
                    end.Skip();
                    placeholderEnd = (int)end.BytesConsumed;
                    if (level == 1)
                    {
                        elementAttachment = num;
                    }
                    else
                    {
                        (nested ??= []).Add(new NestedPlaceholder(start, placeholderEnd, num));
                    }
                }
            }
        }
        catch (JsonException)
        {
            error = InvalidPayload;
            return false;
        }
        if (isEvent && eventName is null)
        {
            error = InvalidPayload;
            return false;
        }
        var slices = new ArgumentSlice[count];
        inline[..Math.Min(count, inline.Length)].CopyTo(slices);
        overflow?.CopyTo(slices, inline.Length);
        layout = new PayloadLayout(eventName, slices, depth, nested?.ToArray());
        error = null;
        return true;
    }

    /// <summary>The arguments of a scanned payload, bound with <paramref name="options"/>.</summary>
    /// <param name="payload">The payload <paramref name="layout"/> was scanned from.</param>
    /// <param name="layout">Its layout.</param>
    /// <param name="attachments">The packet's binary attachments (as many as it announced).</param>
    /// <param name="options">The options the arguments bind with.</param>
    public static EventArguments Bind(ReadOnlyMemory<byte> payload, in PayloadLayout layout,
        IReadOnlyList<ReadOnlyMemory<byte>> attachments, JsonSerializerOptions options)
    {
        if (layout.Nested is not { } nested)
        {
            return new EventArguments(payload, layout.Arguments, attachments, options);
        }
        // Rare (binary data inside an object): the payload is rewritten, so its arguments move and are found again.
        var resolved = ReplaceNestedPlaceholders(payload.Span, nested, attachments);
        TryScan(resolved.Span, layout.EventName is not null, attachments.Count, out var moved, out _);
        return new EventArguments(resolved, moved.Arguments, attachments, options);
    }

    /// <summary>Scans and binds an ACK-shaped payload <c>[...args]</c>, such as the arguments a peer server relays.</summary>
    /// <param name="payload">The JSON array.</param>
    /// <param name="attachments">The binary attachments its placeholders point to.</param>
    /// <param name="options">The options the arguments bind with.</param>
    /// <param name="arguments">The arguments.</param>
    /// <returns><see langword="false"/> when the payload is not a JSON array or a placeholder is illegal.</returns>
    public static bool TryReadArguments(ReadOnlyMemory<byte> payload, IReadOnlyList<ReadOnlyMemory<byte>> attachments,
        JsonSerializerOptions options, out EventArguments arguments)
    {
        if (!TryScan(payload.Span, isEvent: false, attachments.Count, out var layout, out _))
        {
            arguments = EventArguments.Empty;
            return false;
        }
        arguments = Bind(payload, layout, attachments, options);
        return true;
    }

    private static void Add(ref Span<ArgumentSlice> inline, ref List<ArgumentSlice>? overflow, ref int count, ArgumentSlice slice)
    {
        if (count < inline.Length)
        {
            inline[count] = slice;
        }
        else
        {
            (overflow ??= []).Add(slice);
        }
        count++;
    }

    private static bool TryReadEventName(ref Utf8JsonReader reader, out string? eventName)
    {
        eventName = null;
        if (reader.TokenType == JsonTokenType.Number)
        {
            eventName = System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
            return true;
        }
        if (reader.TokenType != JsonTokenType.String)
        {
            return false;
        }
        foreach (var reserved in ReservedUtf8)
        {
            if (reader.ValueTextEquals(reserved.EncodedUtf8Bytes))
            {
                return false;
            }
        }
        eventName = reader.GetString();
        return true;
    }

    private static ReadOnlyMemory<byte> ReplaceNestedPlaceholders(ReadOnlySpan<byte> source, NestedPlaceholder[] nested,
        IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        var size = source.Length;
        foreach (var (start, end, num) in nested)
        {
            size += System.Buffers.Text.Base64.GetMaxEncodedToUtf8Length(attachments[num].Length) + 2 - (end - start);
        }
        var resolved = new byte[size];
        var written = 0;
        var copied = 0;
        foreach (var (start, end, num) in nested)
        {
            source[copied..start].CopyTo(resolved.AsSpan(written));
            written += start - copied;
            resolved[written++] = (byte)'"';
            System.Buffers.Text.Base64.EncodeToUtf8(attachments[num].Span, resolved.AsSpan(written), out _, out var encoded);
            written += encoded;
            resolved[written++] = (byte)'"';
            copied = end;
        }
        source[copied..].CopyTo(resolved.AsSpan(written));
        written += source.Length - copied;
        return resolved.AsMemory(0, written);
    }

    private enum PlaceholderKind
    {
        None,
        Valid,
        Illegal,
    }

    /// <summary>Whether the object at the reader is a placeholder (<c>_placeholder: true</c>) and, if so, whether its
    /// <c>num</c> is an index below <paramref name="count"/>. The reader is a copy. With
    /// <paramref name="stopAtOtherKey"/> an object with any other key is not a placeholder (a text packet's big
    /// arguments are not read twice); without it, as the reference parser, <c>_placeholder</c> counts wherever it stands.</summary>
    private static PlaceholderKind ClassifyObject(Utf8JsonReader reader, int count, out int num, bool stopAtOtherKey)
    {
        var isPlaceholder = false;
        num = -1;
        var numValid = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(PlaceholderName.EncodedUtf8Bytes))
            {
                reader.Read();
                isPlaceholder = reader.TokenType == JsonTokenType.True;
            }
            else if (reader.ValueTextEquals(NumName.EncodedUtf8Bytes))
            {
                reader.Read();
                numValid = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out num) && num >= 0 && num < count;
            }
            else if (stopAtOtherKey)
            {
                return PlaceholderKind.None;
            }
            else
            {
                reader.Read();
            }
            reader.Skip();
        }
        return !isPlaceholder ? PlaceholderKind.None : numValid ? PlaceholderKind.Valid : PlaceholderKind.Illegal;
    }
}
