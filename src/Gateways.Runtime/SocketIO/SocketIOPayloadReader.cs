using System.Text.Json;

namespace Gateways.SocketIO;

/// <summary>
/// Reads the array payload of an EVENT or ACK packet into <see cref="EventArguments"/>: it records where each
/// argument lies instead of materializing it, and resolves binary placeholders (<c>{"_placeholder":true,"num":N}</c>):
/// a top-level one stands for its attachment, a nested one (<c>emit("upload", { name, data: buffer })</c>) is
/// replaced by the attachment as a base64 string, which System.Text.Json binds to a <see cref="byte"/>[] or
/// <see cref="ReadOnlyMemory{T}"/> member at any depth. A placeholder whose <c>num</c> is missing, not an integer or
/// out of range makes the packet illegal, as in the reference parser ("illegal attachments").
/// </summary>
internal static class SocketIOPayloadReader
{
    private static readonly JsonEncodedText PlaceholderName = JsonEncodedText.Encode("_placeholder");
    private static readonly JsonEncodedText NumName = JsonEncodedText.Encode("num");

    /// <summary>Reads an EVENT payload <c>["name", ...args]</c>.</summary>
    /// <param name="payload">The validated JSON array.</param>
    /// <param name="attachments">The packet's binary attachments.</param>
    /// <param name="options">The options the arguments bind with.</param>
    /// <param name="eventName">The event name.</param>
    /// <param name="arguments">The arguments after the name.</param>
    /// <returns><see langword="false"/> when a placeholder is illegal.</returns>
    public static bool TryReadEvent(ReadOnlyMemory<byte> payload, IReadOnlyList<ReadOnlyMemory<byte>> attachments,
        JsonSerializerOptions options, out string eventName, out EventArguments arguments)
    {
        if (!TryResolveNestedPlaceholders(ref payload, attachments.Count == 0 ? null : attachments, topLevelDepth: 1))
        {
            eventName = "";
            arguments = EventArguments.Empty;
            return false;
        }
        var reader = new Utf8JsonReader(payload.Span);
        reader.Read();
        reader.Read();
        eventName = reader.TokenType == JsonTokenType.String
            ? reader.GetString()!
            : System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
        return TryReadRemaining(ref reader, payload, attachments, options, out arguments);
    }

    /// <summary>Reads an ACK payload <c>[...args]</c>.</summary>
    /// <param name="payload">The validated JSON array.</param>
    /// <param name="attachments">The packet's binary attachments.</param>
    /// <param name="options">The options the arguments bind with.</param>
    /// <param name="arguments">The arguments.</param>
    /// <returns><see langword="false"/> when a placeholder is illegal.</returns>
    public static bool TryReadArguments(ReadOnlyMemory<byte> payload, IReadOnlyList<ReadOnlyMemory<byte>> attachments,
        JsonSerializerOptions options, out EventArguments arguments)
    {
        if (!TryResolveNestedPlaceholders(ref payload, attachments.Count == 0 ? null : attachments, topLevelDepth: 1))
        {
            arguments = EventArguments.Empty;
            return false;
        }
        var reader = new Utf8JsonReader(payload.Span);
        reader.Read();
        return TryReadRemaining(ref reader, payload, attachments, options, out arguments);
    }

    private static bool TryReadRemaining(ref Utf8JsonReader reader, ReadOnlyMemory<byte> payload,
        IReadOnlyList<ReadOnlyMemory<byte>> attachments, JsonSerializerOptions options, out EventArguments arguments)
    {
        Span<ArgumentSlice> inline = stackalloc ArgumentSlice[8];
        List<ArgumentSlice>? overflow = null;
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            var attachment = -1;
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                // Every argument object passes here: stop at its first other key, as a placeholder has only two.
                var kind = ClassifyObject(reader, attachments.Count, out var num, stopAtOtherKey: true);
                if (kind == PlaceholderKind.Illegal)
                {
                    arguments = EventArguments.Empty;
                    return false;
                }
                attachment = kind == PlaceholderKind.Valid ? num : -1;
            }
            reader.Skip();
            var slice = new ArgumentSlice(start, (int)reader.BytesConsumed - start, attachment);
            if (count < inline.Length)
            {
                inline[count] = slice;
            }
            else
            {
                overflow ??= [];
                overflow.Add(slice);
            }
            count++;
        }
        var slices = new ArgumentSlice[count];
        inline[..Math.Min(count, inline.Length)].CopyTo(slices);
        overflow?.CopyTo(slices, inline.Length);
        arguments = new EventArguments(payload, slices, attachments, options);
        return true;
    }

    /// <summary>
    /// For a binary packet: checks every placeholder and replaces each one below the top level by its attachment as a
    /// base64 string. Packets without nested placeholders keep their buffer; a text packet (no attachments) is not
    /// looked at, since the reference parser reconstructs binary packets only.
    /// </summary>
    private static bool TryResolveNestedPlaceholders(ref ReadOnlyMemory<byte> payload,
        IReadOnlyList<ReadOnlyMemory<byte>>? attachments, int topLevelDepth)
    {
        if (attachments is null)
        {
            return true;
        }
        var reader = new Utf8JsonReader(payload.Span);
        List<(int Start, int End, int Num)>? nested = null;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                continue;
            }
            var kind = ClassifyObject(reader, attachments.Count, out var num, stopAtOtherKey: false);
            if (kind == PlaceholderKind.Illegal)
            {
                return false;
            }
            if (kind == PlaceholderKind.None)
            {
                continue;
            }
            var depth = reader.CurrentDepth;
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            if (depth > topLevelDepth)
            {
                (nested ??= []).Add((start, (int)reader.BytesConsumed, num));
            }
        }
        if (nested is null)
        {
            return true;
        }
        var source = payload.Span;
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
        payload = resolved.AsMemory(0, written);
        return true;
    }

    private enum PlaceholderKind
    {
        None,
        Valid,
        Illegal,
    }

    /// <summary>Whether the object at the reader is a placeholder (<c>_placeholder: true</c>) and, if so, whether its
    /// <c>num</c> is an index below <paramref name="count"/>. The reader is a copy. With
    /// <paramref name="stopAtOtherKey"/> an object with any other key is not a placeholder (one pass over a big
    /// argument is spared); without it, as the reference parser, <c>_placeholder</c> counts wherever it stands.</summary>
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
