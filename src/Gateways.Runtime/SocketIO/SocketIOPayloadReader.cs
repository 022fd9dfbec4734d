using System.Text.Json;

namespace Gateways.SocketIO;

/// <summary>
/// Reads the array payload of an EVENT or ACK packet into <see cref="EventArguments"/>: it records where each
/// argument lies instead of materializing it, and resolves top-level binary placeholders
/// (<c>{"_placeholder":true,"num":N}</c>) to their attachments.
/// </summary>
public static class SocketIOPayloadReader
{
    private static readonly JsonEncodedText PlaceholderName = JsonEncodedText.Encode("_placeholder");
    private static readonly JsonEncodedText NumName = JsonEncodedText.Encode("num");

    /// <summary>Reads an EVENT payload <c>["name", ...args]</c>.</summary>
    /// <param name="payload">The validated JSON array.</param>
    /// <param name="attachments">The packet's binary attachments.</param>
    /// <param name="options">The options the arguments bind with.</param>
    /// <param name="eventName">The event name.</param>
    /// <param name="arguments">The arguments after the name.</param>
    /// <returns><see langword="false"/> when a placeholder points to a missing attachment.</returns>
    public static bool TryReadEvent(ReadOnlyMemory<byte> payload, IReadOnlyList<ReadOnlyMemory<byte>> attachments,
        JsonSerializerOptions options, out string eventName, out EventArguments arguments)
    {
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
    /// <returns><see langword="false"/> when a placeholder points to a missing attachment.</returns>
    public static bool TryReadArguments(ReadOnlyMemory<byte> payload, IReadOnlyList<ReadOnlyMemory<byte>> attachments,
        JsonSerializerOptions options, out EventArguments arguments)
    {
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
                attachment = ReadPlaceholder(reader);
                if (attachment >= attachments.Count)
                {
                    arguments = EventArguments.Empty;
                    return false;
                }
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

    /// <summary>Returns N when the object at the reader is exactly a placeholder, else -1. The reader is a copy.</summary>
    private static int ReadPlaceholder(Utf8JsonReader reader)
    {
        var isPlaceholder = false;
        var num = -1;
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
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out num))
                {
                    return -1;
                }
            }
            else
            {
                return -1;
            }
        }
        return isPlaceholder && num >= 0 ? num : -1;
    }
}
