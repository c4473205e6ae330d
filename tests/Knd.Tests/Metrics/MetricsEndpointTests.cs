using System.Net;
using Knd.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Knd.Tests.Metrics;

public sealed class MetricsEndpointTests
{
    [Fact(Timeout = 60_000)]
    public async Task GetMetrics_ServesTheExposition_WithTheTextFormatContentType()
    {
        using var harness = new MetricsHarness();
        harness.Publish(SupervisorState.Voting);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        MetricsEndpoint.Map(app, harness.Metrics);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) };

        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Contains("knd_state{state=\"Voting\"} 1\n", body, StringComparison.Ordinal);
        Assert.StartsWith("# HELP ", body, StringComparison.Ordinal);
        await app.StopAsync();
    }
}
