using System.Text;
using Gateways.Hosting;
using Gateways.Security;

namespace Gateways.Tests.Layers;

/// <summary>The input limits alone, without a server or a client.</summary>
public sealed class EventLimitsTests
{
    private static readonly GatewaysOptions Limits = new() { MaxEventNameLength = 8, MaxArguments = 2, MaxJsonDepth = 3 };

    [Theory]
    [InlineData("ok", 2, """["ok",1,2]""", null)]
    [InlineData("too-long-name", 0, """["too-long-name"]""", EventLimits.NameTooLong)]
    [InlineData("ok", 3, """["ok",1,2,3]""", EventLimits.TooManyArguments)]
    [InlineData("ok", 1, """["ok",[[1]]]""", null)]
    [InlineData("ok", 1, """["ok",[[[1]]]]""", EventLimits.TooDeep)]
    // Brackets inside strings count in the quick pass, not in the real one: deep-looking text passes.
    [InlineData("ok", 1, """["ok","[[[[[[[["]""", null)]
    public void AnEventPassesOrIsRefusedWithTheMessageTheSenderGets(string name, int arguments, string payload, string? refusal) =>
        Assert.Equal(refusal, EventLimits.Refusal(Limits, name, arguments, Encoding.UTF8.GetBytes(payload)));
}
