using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Gateways;

/// <summary>
/// The arguments of one event or acknowledgement, kept as the UTF-8 JSON they arrived in and bound on demand.
/// </summary>
/// <remarks>
/// A top-level argument that was sent as binary (a Buffer, ArrayBuffer or Blob in JavaScript) arrives as a Socket.IO
/// attachment; <see cref="IsBinary(int)"/> tells which, and <see cref="GetBinary(int)"/> returns its bytes. Binary
/// data nested inside an object or array arrives as a base64 string in its place, which binds to a <see cref="byte"/>[]
/// or <see cref="ReadOnlyMemory{T}"/> member; its raw bytes are also <see cref="Attachments"/>[N].
/// </remarks>
public sealed class EventArguments
{
    private readonly ReadOnlyMemory<byte> _json;
    private readonly ArgumentSlice[] _slices;
    private readonly JsonSerializerOptions _serializerOptions;

    /// <summary>No arguments.</summary>
    public static EventArguments Empty { get; } = new(ReadOnlyMemory<byte>.Empty, [], [], new JsonSerializerOptions());

    /// <summary>Creates the arguments from a parsed packet; called by the runtime's packet reader.</summary>
    /// <param name="json">The UTF-8 JSON that <paramref name="slices"/> point into.</param>
    /// <param name="slices">Where each argument's JSON starts and how long it is, and which attachment it stands for.</param>
    /// <param name="attachments">The binary attachments of the packet, in placeholder order.</param>
    /// <param name="serializerOptions">The options <see cref="Get{T}(int)"/> binds with.</param>
    internal EventArguments(ReadOnlyMemory<byte> json, ArgumentSlice[] slices,
        IReadOnlyList<ReadOnlyMemory<byte>> attachments, JsonSerializerOptions serializerOptions)
    {
        _json = json;
        _slices = slices;
        Attachments = attachments;
        _serializerOptions = serializerOptions;
    }

    /// <summary>How many arguments there are.</summary>
    public int Count => _slices.Length;

    /// <summary>The binary attachments of the packet, in placeholder order.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Attachments { get; }

    /// <summary>The options <see cref="Get{T}(int)"/> binds with.</summary>
    public JsonSerializerOptions SerializerOptions => _serializerOptions;

    /// <summary>Whether argument <paramref name="index"/> was sent as binary data.</summary>
    /// <param name="index">The zero-based argument index.</param>
    public bool IsBinary(int index) => Slice(index).AttachmentIndex >= 0;

    /// <summary>The bytes of a binary argument.</summary>
    /// <param name="index">The zero-based argument index.</param>
    /// <exception cref="InvalidOperationException">The argument is not binary.</exception>
    public ReadOnlyMemory<byte> GetBinary(int index)
    {
        var slice = Slice(index);
        if (slice.AttachmentIndex < 0)
        {
            throw new InvalidOperationException($"Argument {index} is JSON, not binary.");
        }
        return Attachments[slice.AttachmentIndex];
    }

    /// <summary>The raw UTF-8 JSON of argument <paramref name="index"/> (for a binary argument, its placeholder).</summary>
    /// <param name="index">The zero-based argument index.</param>
    public ReadOnlyMemory<byte> GetRawJson(int index)
    {
        var slice = Slice(index);
        return _json.Slice(slice.Start, slice.Length);
    }

    /// <summary>Argument <paramref name="index"/> as a <see cref="JsonElement"/> that outlives this object.</summary>
    /// <param name="index">The zero-based argument index.</param>
    public JsonElement GetJson(int index)
    {
        var reader = new Utf8JsonReader(GetRawJson(index).Span);
        return JsonElement.ParseValue(ref reader);
    }

    /// <summary>Binds argument <paramref name="index"/> to <typeparamref name="T"/> with <see cref="SerializerOptions"/>;
    /// a binary argument binds to <see cref="byte"/>[] or <see cref="ReadOnlyMemory{T}"/>.</summary>
    /// <typeparam name="T">The type to bind to.</typeparam>
    /// <param name="index">The zero-based argument index.</param>
    /// <exception cref="JsonException">The JSON does not fit <typeparamref name="T"/>.</exception>
    public T? Get<T>(int index) => Get(index, (JsonTypeInfo<T>)_serializerOptions.GetTypeInfo(typeof(T)));

    /// <summary>Binds argument <paramref name="index"/> with source-generated metadata.</summary>
    /// <typeparam name="T">The type to bind to.</typeparam>
    /// <param name="index">The zero-based argument index.</param>
    /// <param name="typeInfo">The metadata, typically from the app's <c>JsonSerializerContext</c>.</param>
    public T? Get<T>(int index, JsonTypeInfo<T> typeInfo)
    {
        if (IsBinary(index))
        {
            if (typeof(T) == typeof(byte[]))
            {
                return (T)(object)GetBinary(index).ToArray();
            }
            if (typeof(T) == typeof(ReadOnlyMemory<byte>))
            {
                return (T)(object)GetBinary(index);
            }
        }
        return JsonSerializer.Deserialize(GetRawJson(index).Span, typeInfo);
    }

    /// <summary>Binds the whole payload the NestJS way: no argument binds <see langword="default"/>, one argument binds
    /// itself, several bind as one JSON array.</summary>
    /// <typeparam name="T">The type to bind to.</typeparam>
    /// <param name="typeInfo">The metadata for <typeparamref name="T"/>.</param>
    public T? GetBody<T>(JsonTypeInfo<T> typeInfo)
    {
        if (_slices.Length == 0)
        {
            return default;
        }
        if (_slices.Length == 1)
        {
            return Get(0, typeInfo);
        }
        // The arguments lie side by side in the packet; bracketing their span makes the array.
        var first = _slices[0];
        var last = _slices[^1];
        var span = _json.Span[first.Start..(last.Start + last.Length)];
        var array = new byte[span.Length + 2];
        array[0] = (byte)'[';
        span.CopyTo(array.AsSpan(1));
        array[^1] = (byte)']';
        return JsonSerializer.Deserialize(array, typeInfo);
    }

    /// <summary>Binds one property of the object at argument <paramref name="index"/>; <see langword="default"/> when
    /// the argument is missing, not an object, or has no such property.</summary>
    /// <typeparam name="T">The type to bind to.</typeparam>
    /// <param name="index">The zero-based argument index.</param>
    /// <param name="property">The JSON property name, matched exactly, then ignoring case when the options do.</param>
    /// <param name="typeInfo">The metadata for <typeparamref name="T"/>.</param>
    public T? GetProperty<T>(int index, string property, JsonTypeInfo<T> typeInfo)
    {
        if (index >= _slices.Length)
        {
            return default;
        }
        var json = GetRawJson(index).Span;
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return default;
        }
        var ignoreCase = _serializerOptions.PropertyNameCaseInsensitive;
        int? fallback = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var exact = reader.ValueTextEquals(property);
            var loose = !exact && ignoreCase && fallback is null
                && string.Equals(reader.GetString(), property, StringComparison.OrdinalIgnoreCase);
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            if (exact)
            {
                reader.Skip();
                return JsonSerializer.Deserialize(json[start..(int)reader.BytesConsumed], typeInfo);
            }
            if (loose)
            {
                fallback = start;
            }
            reader.Skip();
        }
        if (fallback is { } at)
        {
            var value = new Utf8JsonReader(json[at..]);
            value.Read();
            value.Skip();
            return JsonSerializer.Deserialize(json[at..(at + (int)value.BytesConsumed)], typeInfo);
        }
        return default;
    }

    /// <summary>The arguments as values that <see cref="IGatewayEmitter.Emit"/> sends back unchanged: a
    /// <see cref="JsonElement"/> per JSON argument and a <see cref="ReadOnlyMemory{T}"/> per binary argument.</summary>
    public object?[] ToArray()
    {
        var values = new object?[_slices.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = IsBinary(i) ? GetBinary(i) : GetJson(i);
        }
        return values;
    }

    /// <summary>Takes a W3C trace-context envelope off the end: when the last argument is exactly
    /// <c>{"traceparent": "…"}</c>, with an optional <c>"tracestate"</c>, returns its values and the arguments without
    /// it (the client's convention for tracing an event, see <c>GatewaysOptions.AcceptClientTraceContext</c>).</summary>
    internal bool TryTakeTraceContext(out string? traceParent, out string? traceState, out EventArguments rest)
    {
        traceParent = null;
        traceState = null;
        rest = this;
        if (_slices.Length == 0 || _slices[^1].AttachmentIndex >= 0)
        {
            return false;
        }
        var reader = new Utf8JsonReader(GetRawJson(_slices.Length - 1).Span);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isParent = reader.ValueTextEquals("traceparent"u8);
            var isState = !isParent && reader.ValueTextEquals("tracestate"u8);
            if (!(isParent || isState) || !reader.Read() || reader.TokenType != JsonTokenType.String)
            {
                return false; // any other member: an ordinary argument
            }
            if (isParent)
            {
                traceParent = reader.GetString();
            }
            else
            {
                traceState = reader.GetString();
            }
        }
        if (traceParent is null)
        {
            return false;
        }
        rest = new EventArguments(_json, _slices[..^1], Attachments, _serializerOptions);
        return true;
    }

    private ArgumentSlice Slice(int index)
    {
        if ((uint)index >= (uint)_slices.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The event has {_slices.Length} argument(s).");
        }
        return _slices[index];
    }
}

/// <summary>Where one argument's JSON lies inside a packet, and the attachment it stands for (-1 when none).</summary>
/// <param name="Start">The offset of the argument's first byte.</param>
/// <param name="Length">The length of the argument's JSON.</param>
/// <param name="AttachmentIndex">The attachment this argument's placeholder points to, or -1.</param>
internal readonly record struct ArgumentSlice(int Start, int Length, int AttachmentIndex);
