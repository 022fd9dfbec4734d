using System.Text;
using Gateways.Hosting;
using Gateways.Security;
using Gateways.SocketIO;

namespace Gateways.Tests.Layers;

/// <summary>The input limits alone, without a server or a client, on what the parser's one pass measured.</summary>
public sealed class EventLimitsTests
{
    private static readonly GatewaysOptions Limits = new() { MaxEventNameLength = 8, MaxArguments = 2, MaxJsonDepth = 3 };

    [Theory]
    [InlineData("""["ok",1,2]""", null)]
    [InlineData("""["too-long-name"]""", EventLimits.NameTooLong)]
    [InlineData("""["ok",1,2,3]""", EventLimits.TooManyArguments)]
    [InlineData("""["ok",[[1]]]""", null)]
    [InlineData("""["ok",[[[1]]]]""", EventLimits.TooDeep)]
    [InlineData("""["ok",{"a":{"b":1}}]""", null)]
    [InlineData("""["ok",{"a":{"b":[1]}}]""", EventLimits.TooDeep)]
    [InlineData("""["ok",[[1]],{"a":[2]},[3]]""", EventLimits.TooManyArguments)]
    // Brackets inside strings are text, not nesting.
    [InlineData("""["ok","[[[[[[[["]""", null)]
    public void AnEventPassesOrIsRefusedWithTheMessageTheSenderGets(string payload, string? refusal)
    {
        Assert.True(SocketIOPacketParser.TryParse(Encoding.UTF8.GetBytes("2" + payload), new NamespaceNameTable(),
            out var packet, out var error), error);
        var layout = packet.Layout;
        Assert.Equal(refusal, EventLimits.Refusal(Limits, layout.EventName!, layout.Arguments.Length, layout.Depth));
    }
}
