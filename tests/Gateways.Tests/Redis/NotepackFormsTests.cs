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

    [Fact]
    public void WhatTheAdapterWritesReadsBackTheSame()
    {
        var attachments = new ReadOnlyMemory<byte>[] { new byte[] { 1, 2, 250 }, new byte[] { 3, 4 } };
        var buffer = new ArrayBufferWriter<byte>();
        new MessagePackWriter(buffer).WriteJson(JsonElement.Parse(Expected), attachments);

        var (json, read) = Read(buffer.WrittenSpan.ToArray());

        Assert.Equal(JsonElement.Parse(Expected).GetRawText(), json);
        Assert.Equal(attachments.Select(a => a.ToArray()), read.Select(a => a.ToArray()));
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
