using System.Net;
using System.Text;

namespace Gateways.Tests.Infrastructure;

/// <summary>Engine.IO long-polling requests as raw HTTP, for tests that must see exactly which poll carries what.</summary>
internal static class RawPolling
{
    /// <summary>One GET of the session's queue; asserts 200 and returns the payload.</summary>
    public static Task<string> GetAsync(HttpClient http, string sid) =>
        GetBodyAsync(http, $"/socket.io/?EIO=4&transport=polling&sid={sid}");

    /// <summary>A GET of any Engine.IO path; asserts 200 and returns the body.</summary>
    public static async Task<string> GetBodyAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>POSTs a payload of client packets; asserts the server's <c>ok</c>.</summary>
    public static async Task PostAsync(HttpClient http, string sid, string payload)
    {
        using var response = await http.PostAsync($"/socket.io/?EIO=4&transport=polling&sid={sid}",
            new StringContent(payload, Encoding.UTF8, "text/plain"));
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }
}
