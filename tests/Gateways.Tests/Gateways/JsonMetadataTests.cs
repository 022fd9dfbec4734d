using System.Text.Json.Serialization.Metadata;
using Gateways.Hosting;
using Gateways.Testing;
using Gateways.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gateways.Tests.Gateways;

/// <summary>Where reflection is off (Native AOT), a handler type without JSON metadata stops the app at startup, all of
/// them named in one message, instead of failing at the first event.</summary>
public sealed class JsonMetadataTests
{
    private static Task<TestGatewayServer> StartWithoutReflectionAsync(Action<IGatewaysBuilder>? configure = null) =>
        TestGatewayServer.StartAsync(gateways =>
        {
            // What JsonSerializer.IsReflectionEnabledByDefault=false (Native AOT) leaves: no reflection resolver.
            gateways.Services.Configure<GatewaysJsonOptions>(o =>
            {
                var chain = o.SerializerOptions.TypeInfoResolverChain;
                for (var i = chain.Count - 1; i >= 0; i--)
                {
                    if (chain[i] is DefaultJsonTypeInfoResolver)
                    {
                        chain.RemoveAt(i);
                    }
                }
            });
            gateways.AddGateway<QuoteGateway>();
            configure?.Invoke(gateways);
        });

    [Fact]
    public async Task EveryHandlerTypeWithoutMetadataIsNamedAtStartup()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartWithoutReflectionAsync());

        Assert.Contains("have no metadata for these handler types:", error.Message);
        Assert.Contains("'Gateways.Tests.Gateways.QuoteRequest': Parameter 'request' of QuoteGateway.GetQuote (event 'quote')", error.Message);
        Assert.Contains("'Gateways.Tests.Gateways.Quote': The result of QuoteGateway.GetQuote (event 'quote')", error.Message);
        Assert.Contains("'Gateways.Tests.Gateways.Receipt': The result of QuoteGateway.Subscribe (event 'subscribe')", error.Message);
        Assert.DoesNotContain("'System.String'", error.Message);
        Assert.Contains("[JsonSerializable(typeof(QuoteRequest))] [JsonSerializable(typeof(Quote))] [JsonSerializable(typeof(Receipt))]", error.Message);
        Assert.Contains("AddJsonSerializerContext(", error.Message);
    }

    [Fact]
    public async Task ASourceGeneratedContextMakesTheSameGatewayServe()
    {
        await using var server = await StartWithoutReflectionAsync(gateways => gateways.AddJsonSerializerContext(QuoteJsonContext.Default));
        await using var client = await GatewayTestClient.ConnectAsync(new Uri(server.Url), new GatewayTestClientOptions { Namespace = "/binding" });

        var quote = await client.EmitWithAckAsync("quote", new { symbol = "GW" });
        await client.EmitAsync("subscribe", new { symbol = "GW" });
        var receipt = await client.WaitForAsync("subscribed");

        Assert.Equal("""{"symbol":"GW","price":42.5}""", quote.GetJson(0).GetRawText());
        Assert.Equal("""{"symbol":"GW","count":1}""", receipt.GetJson(0).GetRawText());
    }
}
