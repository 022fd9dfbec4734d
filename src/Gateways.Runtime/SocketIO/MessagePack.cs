using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Gateways.SocketIO;

/// <summary>
/// The MessagePack subset notepack.io (the codec of Node's Redis adapters and of socket.io-msgpack-parser) reads and
/// writes: nil, booleans, integers, float64, strings, binary, arrays and string-keyed maps. Ext values (notepack's
/// <c>undefined</c>) read as nil.
/// </summary>
internal sealed class MessagePackWriter(ArrayBufferWriter<byte> output)
{
    // Containers transcoded from JSON get the 32-bit header form: their size is known only at their end, when the
    // header is patched in place (valid MessagePack; notepack reads every form).
    private const int PatchedHeaderSize = 5;

    public void WriteNil() => WriteByte(0xc0);

    public void WriteBoolean(bool value) => WriteByte(value ? (byte)0xc3 : (byte)0xc2);

    public void WriteInteger(long value)
    {
        var span = output.GetSpan(9);
        int length;
        if (value >= 0)
        {
            if (value < 128) { span[0] = (byte)value; length = 1; }
            else if (value < 256) { span[0] = 0xcc; span[1] = (byte)value; length = 2; }
            else if (value < 65536) { span[0] = 0xcd; BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)value); length = 3; }
            else if (value <= uint.MaxValue) { span[0] = 0xce; BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)value); length = 5; }
            else { span[0] = 0xcf; BinaryPrimitives.WriteUInt64BigEndian(span[1..], (ulong)value); length = 9; }
        }
        else
        {
            if (value >= -32) { span[0] = (byte)(sbyte)value; length = 1; }
            else if (value >= sbyte.MinValue) { span[0] = 0xd0; span[1] = (byte)(sbyte)value; length = 2; }
            else if (value >= short.MinValue) { span[0] = 0xd1; BinaryPrimitives.WriteInt16BigEndian(span[1..], (short)value); length = 3; }
            else if (value >= int.MinValue) { span[0] = 0xd2; BinaryPrimitives.WriteInt32BigEndian(span[1..], (int)value); length = 5; }
            else { span[0] = 0xd3; BinaryPrimitives.WriteInt64BigEndian(span[1..], value); length = 9; }
        }
        output.Advance(length);
    }

    public void WriteDouble(double value)
    {
        var span = output.GetSpan(9);
        span[0] = 0xcb;
        BinaryPrimitives.WriteDoubleBigEndian(span[1..], value);
        output.Advance(9);
    }

    public void WriteString(string value) => WriteString(Encoding.UTF8.GetBytes(value));

    public void WriteString(ReadOnlySpan<byte> utf8)
    {
        WriteHeader(utf8.Length, 0xa0, 32, 0xd9, 0xda, 0xdb);
        output.Write(utf8);
    }

    public void WriteBinary(ReadOnlySpan<byte> data)
    {
        WriteHeader(data.Length, 0, 0, 0xc4, 0xc5, 0xc6);
        output.Write(data);
    }

    public void WriteStrings(IReadOnlyCollection<string> values)
    {
        WriteArrayHeader(values.Count);
        foreach (var value in values)
        {
            WriteString(value);
        }
    }

    public void WriteArrayHeader(int count) => WriteHeader(count, 0x90, 16, 0, 0xdc, 0xdd);

    public void WriteMapHeader(int count) => WriteHeader(count, 0x80, 16, 0, 0xde, 0xdf);

    /// <summary>A fix form below <paramref name="fixLimit"/>, else the 8-bit (when the type has one), 16- or
    /// 32-bit length form.</summary>
    private void WriteHeader(int length, byte fix, int fixLimit, byte eight, byte sixteen, byte thirtyTwo)
    {
        var span = output.GetSpan(5);
        if (length < fixLimit)
        {
            span[0] = (byte)(fix | length);
            output.Advance(1);
        }
        else if (eight != 0 && length < 256)
        {
            span[0] = eight;
            span[1] = (byte)length;
            output.Advance(2);
        }
        else if (length < 65536)
        {
            span[0] = sixteen;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)length);
            output.Advance(3);
        }
        else
        {
            span[0] = thirtyTwo;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
            output.Advance(5);
        }
    }

    private void WriteByte(byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    /// <summary>Transcodes one JSON value (UTF-8, well-formed: written by us or read from a parsed message) to
    /// MessagePack in one streaming pass, no document built; a <c>{"_placeholder":true,"num":N}</c> object becomes the
    /// binary of attachment N, as socket.io's packet holds the Buffer itself.</summary>
    public void WriteJson(ReadOnlySpan<byte> json, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        // Our messages wrap the payload (itself up to System.Text.Json's 64 levels) in a few more: room to spare.
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        // Per open container: where its header is and how many values (or map entries) it has so far.
        Span<(int Header, int Count)> open = stackalloc (int, int)[32];
        var depth = 0;
        while (reader.Read())
        {
            var token = reader.TokenType;
            if (token is JsonTokenType.EndArray or JsonTokenType.EndObject)
            {
                depth--;
                PatchHeader(open[depth].Header, token == JsonTokenType.EndArray ? (byte)0xdd : (byte)0xdf, open[depth].Count);
                continue;
            }
            if (token == JsonTokenType.PropertyName)
            {
                WriteJsonString(ref reader);
                continue;
            }
            if (depth > 0)
            {
                open[depth - 1].Count++; // a value: one more element, or one more entry of a map
            }
            switch (token)
            {
                case JsonTokenType.StartObject when TryReadPlaceholder(reader, attachments.Count, out var num):
                    reader.Skip();
                    WriteBinary(attachments[num].Span);
                    break;
                case JsonTokenType.StartArray or JsonTokenType.StartObject:
                    if (depth == open.Length)
                    {
                        // Deeper than the stack buffer (our own parser never lets that in, an app's JSON may be).
                        var deeper = new (int, int)[open.Length * 2];
                        open.CopyTo(deeper);
                        open = deeper;
                    }
                    open[depth++] = (output.WrittenCount, 0);
                    output.GetSpan(PatchedHeaderSize);
                    output.Advance(PatchedHeaderSize);
                    break;
                case JsonTokenType.String:
                    WriteJsonString(ref reader);
                    break;
                case JsonTokenType.Number when reader.TryGetInt64(out var integer):
                    WriteInteger(integer);
                    break;
                case JsonTokenType.Number:
                    WriteDouble(reader.GetDouble());
                    break;
                case JsonTokenType.True or JsonTokenType.False:
                    WriteBoolean(token == JsonTokenType.True);
                    break;
                default:
                    WriteNil();
                    break;
            }
        }
    }

    private void PatchHeader(int position, byte code, int count)
    {
        var header = System.Runtime.InteropServices.MemoryMarshal.AsMemory(output.WrittenMemory).Span.Slice(position, PatchedHeaderSize);
        header[0] = code;
        BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)count);
    }

    /// <summary>A string value or property name, unescaped only when JSON escaped it.</summary>
    private void WriteJsonString(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            WriteString(reader.ValueSpan);
            return;
        }
        var rented = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
        var length = reader.CopyString(rented);
        WriteString(rented.AsSpan(0, length));
        ArrayPool<byte>.Shared.Return(rented);
    }

    /// <summary>Whether the object starting at <paramref name="reader"/> is exactly a placeholder (its two members
    /// in either order) of an attachment that exists; read on a copy, so the caller's reader does not move.</summary>
    private static bool TryReadPlaceholder(Utf8JsonReader reader, int attachmentCount, out int num)
    {
        num = -1;
        var flag = false;
        for (var members = 0; members < 2; members++)
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName)
            {
                return false;
            }
            if (reader.ValueTextEquals("_placeholder"u8))
            {
                flag = reader.Read() && reader.TokenType == JsonTokenType.True;
            }
            else if (!reader.ValueTextEquals("num"u8) || !reader.Read() || reader.TokenType != JsonTokenType.Number
                || !reader.TryGetInt32(out num))
            {
                return false;
            }
        }
        return flag && reader.Read() && reader.TokenType == JsonTokenType.EndObject && num >= 0 && num < attachmentCount;
    }
}

/// <summary>Reads MessagePack; see <see cref="MessagePackWriter"/> for the subset. Malformed or truncated input
/// throws (<see cref="InvalidDataException"/>, or an out-of-range exception at the end of the data); containers nested
/// deeper than <paramref name="maxDepth"/> throw <see cref="InvalidDataException"/> (the input may be a client's).</summary>
internal ref struct MessagePackReader(ReadOnlySpan<byte> data, int maxDepth = 256)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;
    private int _depth;

    /// <summary>How far into the data the reader is.</summary>
    public readonly int Position => _position;

    public bool End => _position >= _data.Length;

    public byte PeekCode() => _data[_position];

    /// <summary>Reads a map header; -1 when the next value is not a map.</summary>
    public int TryReadMapHeader()
    {
        var code = _data[_position];
        int count;
        if ((code & 0xf0) == 0x80) { count = code & 0x0f; _position++; }
        else if (code == 0xde) { count = BinaryPrimitives.ReadUInt16BigEndian(_data[(_position + 1)..]); _position += 3; }
        else if (code == 0xdf) { count = (int)BinaryPrimitives.ReadUInt32BigEndian(_data[(_position + 1)..]); _position += 5; }
        else { return -1; }
        return count;
    }

    /// <summary>Reads an array header; -1 when the next value is not an array.</summary>
    public int TryReadArrayHeader()
    {
        var code = _data[_position];
        int count;
        if ((code & 0xf0) == 0x90) { count = code & 0x0f; _position++; }
        else if (code == 0xdc) { count = BinaryPrimitives.ReadUInt16BigEndian(_data[(_position + 1)..]); _position += 3; }
        else if (code == 0xdd) { count = (int)BinaryPrimitives.ReadUInt32BigEndian(_data[(_position + 1)..]); _position += 5; }
        else { return -1; }
        return count;
    }

    public string? ReadString() => ReadStringSpan(out var isNil) is var span && isNil ? null : Encoding.UTF8.GetString(span);

    /// <summary>Whether the next value is a string.</summary>
    public readonly bool IsString() => (_data[_position] & 0xe0) == 0xa0 || _data[_position] is 0xd9 or 0xda or 0xdb;

    /// <summary>Reads an integer — any integer form, or a float64 with no fraction (JavaScript numbers may arrive as
    /// either); false, having read nothing, for any other value.</summary>
    public bool TryReadInteger(out long value)
    {
        var code = _data[_position];
        value = code switch
        {
            <= 0x7f => code,
            >= 0xe0 => (sbyte)code,
            0xcc => _data[_position + 1],
            0xcd => BinaryPrimitives.ReadUInt16BigEndian(_data[(_position + 1)..]),
            0xce => BinaryPrimitives.ReadUInt32BigEndian(_data[(_position + 1)..]),
            0xcf when BinaryPrimitives.ReadUInt64BigEndian(_data[(_position + 1)..]) <= long.MaxValue =>
                (long)BinaryPrimitives.ReadUInt64BigEndian(_data[(_position + 1)..]),
            0xd0 => (sbyte)_data[_position + 1],
            0xd1 => BinaryPrimitives.ReadInt16BigEndian(_data[(_position + 1)..]),
            0xd2 => BinaryPrimitives.ReadInt32BigEndian(_data[(_position + 1)..]),
            0xd3 => BinaryPrimitives.ReadInt64BigEndian(_data[(_position + 1)..]),
            0xcb when BinaryPrimitives.ReadDoubleBigEndian(_data[(_position + 1)..]) is var number
                && Math.Floor(number) == number && Math.Abs(number) <= 9007199254740991 => (long)number,
            _ => long.MinValue,
        };
        if (value == long.MinValue && code != 0xd3)
        {
            value = 0;
            return false;
        }
        _position += code switch
        {
            <= 0x7f or >= 0xe0 => 1,
            0xcc or 0xd0 => 2,
            0xcd or 0xd1 => 3,
            0xce or 0xd2 => 5,
            _ => 9,
        };
        return true;
    }

    /// <summary>Reads a value as JSON into <paramref name="json"/>; binary becomes a placeholder and is added to
    /// <paramref name="attachments"/>.</summary>
    public void ReadAsJson(Utf8JsonWriter json, List<ReadOnlyMemory<byte>> attachments)
    {
        var code = _data[_position];
        if (code <= 0x7f) { _position++; json.WriteNumberValue(code); return; }
        if (code >= 0xe0) { _position++; json.WriteNumberValue((sbyte)code); return; }
        if ((code & 0xf0) == 0x80 || code is 0xde or 0xdf || (code & 0xf0) == 0x90 || code is 0xdc or 0xdd)
        {
            if (++_depth > maxDepth)
            {
                throw new InvalidDataException($"MessagePack nested deeper than {maxDepth} levels.");
            }
            ReadContainerAsJson(json, attachments, code);
            _depth--;
            return;
        }
        if ((code & 0xe0) == 0xa0 || code is 0xd9 or 0xda or 0xdb)
        {
            json.WriteStringValue(ReadStringSpan(out _));
            return;
        }
        _position++;
        switch (code)
        {
            case 0xc0: json.WriteNullValue(); break;
            case 0xc2: json.WriteBooleanValue(false); break;
            case 0xc3: json.WriteBooleanValue(true); break;
            case 0xc4: WriteBinary(json, attachments, _data[_position++]); break;
            case 0xc5: WriteBinary(json, attachments, Take16()); break;
            case 0xc6: WriteBinary(json, attachments, Take32()); break;
            case 0xca: WriteFloat(json, BinaryPrimitives.ReadSingleBigEndian(Take(4))); break;
            case 0xcb: WriteFloat(json, BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break;
            case 0xcc: json.WriteNumberValue(_data[_position++]); break;
            case 0xcd: json.WriteNumberValue(Take16()); break;
            case 0xce: json.WriteNumberValue((uint)Take32()); break;
            case 0xcf: json.WriteNumberValue(BinaryPrimitives.ReadUInt64BigEndian(Take(8))); break;
            case 0xd0: json.WriteNumberValue((sbyte)_data[_position++]); break;
            case 0xd1: json.WriteNumberValue(BinaryPrimitives.ReadInt16BigEndian(Take(2))); break;
            case 0xd2: json.WriteNumberValue(BinaryPrimitives.ReadInt32BigEndian(Take(4))); break;
            case 0xd3: json.WriteNumberValue(BinaryPrimitives.ReadInt64BigEndian(Take(8))); break;
            // Ext types, as notepack.io writes them: type 0 is its own (2.x: ArrayBuffer as ext, undefined as
            // fixext 1, Date as fixext 8 of milliseconds), type -1 the standard timestamps 3.x writes for a Date.
            // A Date becomes the ISO string JSON.stringify gives; undefined and unknown types become null.
            case 0xd4: _position += 2; json.WriteNullValue(); break;
            case 0xd5: _position += 3; json.WriteNullValue(); break;
            case 0xd6: ReadExt(json, attachments, 4, isFixed: true); break;
            case 0xd7: ReadExt(json, attachments, 8, isFixed: true); break;
            case 0xd8: _position += 17; json.WriteNullValue(); break;
            case 0xc7: ReadExt(json, attachments, _data[_position++], isFixed: false); break;
            case 0xc8: ReadExt(json, attachments, Take16(), isFixed: false); break;
            case 0xc9: ReadExt(json, attachments, Take32(), isFixed: false); break;
            default: throw new InvalidDataException($"Unsupported MessagePack code 0x{code:x2}.");
        }
    }

    // JSON has no NaN or infinities: JSON.stringify writes null for them, and so does this.
    private static void WriteFloat(Utf8JsonWriter json, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumberValue(value);
        }
        else
        {
            json.WriteNullValue();
        }
    }

    private void ReadContainerAsJson(Utf8JsonWriter json, List<ReadOnlyMemory<byte>> attachments, byte code)
    {
        if ((code & 0xf0) == 0x80 || code is 0xde or 0xdf)
        {
            var count = TryReadMapHeader();
            json.WriteStartObject();
            for (var i = 0; i < count; i++)
            {
                var name = ReadStringSpan(out _);
                if (IsUndefined())
                {
                    // notepack.io 2.x keeps undefined members; JSON (and 3.x) leave them out.
                    _position += 3;
                    continue;
                }
                json.WritePropertyName(name);
                ReadAsJson(json, attachments);
            }
            json.WriteEndObject();
            return;
        }
        var items = TryReadArrayHeader();
        json.WriteStartArray();
        for (var i = 0; i < items; i++)
        {
            ReadAsJson(json, attachments);
        }
        json.WriteEndArray();
    }

    /// <summary>Whether the next value is notepack.io's <c>undefined</c> (an absent member, to JavaScript).</summary>
    public readonly bool IsUndefined() =>
        _position + 2 < _data.Length && _data[_position] == 0xd4 && _data[_position + 1] == 0x00;

    private void ReadExt(Utf8JsonWriter json, List<ReadOnlyMemory<byte>> attachments, int length, bool isFixed)
    {
        var type = (sbyte)_data[_position++];
        var body = Take(length);
        if (type == 0 && isFixed && length == 8)
        {
            // notepack.io 2.x Date: milliseconds since the epoch, high 32 bits signed.
            WriteDate(json, BinaryPrimitives.ReadInt32BigEndian(body) * 4294967296L + BinaryPrimitives.ReadUInt32BigEndian(body[4..]), 0);
        }
        else if (type == 0 && !isFixed)
        {
            // notepack.io 2.x ArrayBuffer.
            json.WriteStartObject();
            json.WriteBoolean("_placeholder", true);
            json.WriteNumber("num", attachments.Count);
            json.WriteEndObject();
            attachments.Add(body.ToArray());
        }
        else if (type == -1 && length == 4)
        {
            WriteDate(json, BinaryPrimitives.ReadUInt32BigEndian(body) * 1000L, 0);
        }
        else if (type == -1 && length == 8)
        {
            var high = BinaryPrimitives.ReadUInt32BigEndian(body);
            var seconds = ((long)(high & 0x3) << 32) + BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
            WriteDate(json, seconds * 1000L, high >> 2);
        }
        else if (type == -1 && length == 12)
        {
            WriteDate(json, BinaryPrimitives.ReadInt64BigEndian(body[4..]) * 1000L, BinaryPrimitives.ReadUInt32BigEndian(body));
        }
        else
        {
            json.WriteNullValue();
        }
    }

    private static void WriteDate(Utf8JsonWriter json, long milliseconds, uint nanoseconds)
    {
        var instant = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds + nanoseconds / 1_000_000).UtcDateTime;
        json.WriteStringValue(instant.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Skips one value.</summary>
    public void Skip()
    {
        using var sink = new Utf8JsonWriter(Stream.Null);
        ReadAsJson(sink, []);
    }

    /// <summary>Reads a string's UTF-8 bytes in place (no copy); nil gives an empty span and <paramref name="isNil"/>.</summary>
    public ReadOnlySpan<byte> ReadStringSpan(out bool isNil)
    {
        var code = _data[_position++];
        int length = code switch
        {
            0xc0 => -1,
            0xd9 => _data[_position++],
            0xda => Take16(),
            0xdb => Take32(),
            _ when (code & 0xe0) == 0xa0 => code & 0x1f,
            _ => throw new InvalidDataException($"Expected a string, got code 0x{code:x2}."),
        };
        isNil = length < 0;
        return isNil ? default : Take(length);
    }

    private void WriteBinary(Utf8JsonWriter json, List<ReadOnlyMemory<byte>> attachments, int length)
    {
        json.WriteStartObject();
        json.WriteBoolean("_placeholder", true);
        json.WriteNumber("num", attachments.Count);
        json.WriteEndObject();
        attachments.Add(Take(length).ToArray());
    }

    private int Take16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    private int Take32() => (int)BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    private ReadOnlySpan<byte> Take(int length)
    {
        var span = _data.Slice(_position, length);
        _position += length;
        return span;
    }
}
