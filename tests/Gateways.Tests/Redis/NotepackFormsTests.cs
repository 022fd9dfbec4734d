using Gateways.SocketIO;
using System.Buffers;
using System.Text.Json;
using Gateways.Adapters.Redis;
using Gateways.Tests.Infrastructure;

namespace Gateways.Tests.Redis;

/// <summary>The Redis adapter reads what Node peers write with notepack.io, today's 3.x and the 2.x older peers use:
/// bytes made by the real packages (tests/node/notepack-forms.mjs), read as the JSON socket.io would see.</summary>
public sealed class NotepackFormsTests
{
    // JSON.stringify's view of the value: undefined members left out, undefined in arrays null, a Date as its ISO
    // string; binary becomes socket.io placeholders.
    private const string Expected =
        """{"text":"héllo","arrayBuffer":{"_placeholder":true,"num":0},"buffer":{"_placeholder":true,"num":1},"at":"2026-11-26T08:45:03.123Z","list":[null,1,-2,3.5,70000,true,null]}""";

    [Theory]
    [InlineData("NOTEPACK2")]
    [InlineData("NOTEPACK3")]
    public async Task BothNotepackVersionsReadAsTheSameJson(string version)
    {
        var output = await ProcessRunner.RunAsync("node", ["notepack-forms.mjs"], RepositoryPaths.NodeTests, TimeSpan.FromSeconds(20));
        var hex = output.Split('\n').Single(line => line.StartsWith(version + " ", StringComparison.Ordinal))[(version.Length + 1)..].Trim();

        var (json, attachments) = Read(Convert.FromHexString(hex));

        Assert.Equal(JsonElement.Parse(Expected).GetRawText(), json);
        Assert.Equal([1, 2, 250], attachments[0].ToArray());
        Assert.Equal([3, 4], attachments[1].ToArray());
    }

    // Escapes, non-ASCII, every number form, containers past the fix sizes, a placeholder with its members the other
    // way round, one pointing past the attachments (stays an object), an empty array and map.
    private const string Transcoded =
        """{"esc\"aped":"line\nbreak \u00e9 \ud83d\ude00","n":[0,127,128,-1,-33,70000,-70000,4294967296,3.25,-0.5,1e300],"big":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17],"bin":[{"num":1,"_placeholder":true},{"_placeholder":true,"num":0}],"notBin":{"_placeholder":true,"num":9},"empty":[],"none":{},"flags":[true,false,null]}""";

    [Fact]
    public void WhatTheAdapterWritesReadsBackTheSame()
    {
        var attachments = new ReadOnlyMemory<byte>[] { new byte[] { 1, 2, 250 }, new byte[] { 3, 4 } };

        var (json, read) = Read(Write(Transcoded, attachments));

        var expected = JsonElement.Parse(Transcoded.Replace("""{"num":1,"_placeholder":true}""", """{"_placeholder":true,"num":0}""")
            .Replace("""{"_placeholder":true,"num":0}]""", """{"_placeholder":true,"num":1}]"""));
        Assert.True(JsonElement.DeepEquals(expected, JsonElement.Parse(json)), json);
        Assert.Equal([[3, 4], [1, 2, 250]], read.Select(a => a.ToArray()));
    }

    [Fact]
    public async Task NotepackReadsWhatTheAdapterWrites()
    {
        var attachments = new ReadOnlyMemory<byte>[] { new byte[] { 1, 2, 250 }, new byte[] { 3, 4 } };
        var hex = Convert.ToHexString(Write(Transcoded, attachments));

        var output = await ProcessRunner.RunAsync("node", ["notepack-forms.mjs", "decode", hex], RepositoryPaths.NodeTests, TimeSpan.FromSeconds(20));
        var decoded = JsonElement.Parse(output.Split('\n').Single(line => line.StartsWith("DECODED ", StringComparison.Ordinal))[8..]);

        Assert.Equal("line\nbreak é 😀", decoded.GetProperty("esc\"aped").GetString());
        Assert.Equal([0, 127, 128, -1, -33, 70000, -70000, 4294967296, 3.25, -0.5, 1e300],
            decoded.GetProperty("n").EnumerateArray().Select(n => n.GetDouble()));
        Assert.Equal(17, decoded.GetProperty("big").GetArrayLength());
        Assert.Equal("""[{"type":"Buffer","data":[3,4]},{"type":"Buffer","data":[1,2,250]}]""", decoded.GetProperty("bin").GetRawText());
        Assert.Equal("""{"_placeholder":true,"num":9}""", decoded.GetProperty("notBin").GetRawText());
        Assert.Equal("[]", decoded.GetProperty("empty").GetRawText());
        Assert.Equal("{}", decoded.GetProperty("none").GetRawText());
        Assert.Equal("[true,false,null]", decoded.GetProperty("flags").GetRawText());
    }

    [Fact]
    public void JsonNestedDeeperThanTheWritersStackBufferTranscodes()
    {
        // 70 levels: past the writer's stack buffer and past System.Text.Json's default reader depth (64).
        var deep = new string('[', 70) + "\"bottom\"" + new string(']', 70);

        var output = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(output))
        {
            new MessagePackReader(Write("{\"packet\":{\"data\":" + deep + "}}", [])).ReadAsJson(json, []);
        }

        var element = JsonElement.Parse(output.WrittenSpan, new JsonDocumentOptions { MaxDepth = 128 }).GetProperty("packet").GetProperty("data");
        for (var level = 0; level < 70; level++)
        {
            element = Assert.Single(element.EnumerateArray().ToArray());
        }
        Assert.Equal("bottom", element.GetString());
    }

    private static byte[] Write(string json, ReadOnlyMemory<byte>[] attachments)
    {
        var buffer = new ArrayBufferWriter<byte>();
        new MessagePackWriter(buffer).WriteJson(System.Text.Encoding.UTF8.GetBytes(json), attachments);
        return buffer.WrittenSpan.ToArray();
    }

    private static (string Json, List<ReadOnlyMemory<byte>> Attachments) Read(byte[] bytes)
    {
        var output = new ArrayBufferWriter<byte>();
        var attachments = new List<ReadOnlyMemory<byte>>();
        using (var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            var reader = new MessagePackReader(bytes);
            reader.ReadAsJson(json, attachments);
        }
        return (JsonElement.Parse(output.WrittenSpan).GetRawText(), attachments);
    }
}
