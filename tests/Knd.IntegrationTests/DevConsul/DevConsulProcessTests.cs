using System.Text;
using Knd.Consul;
using Knd.IntegrationTests.Infrastructure;
using Knd.Interop;
using Microsoft.Extensions.Logging.Abstractions;
using Knd.Testing;

namespace Knd.IntegrationTests.DevConsul;

/// <summary>The real <c>knd dev-consul</c> process: port 0, the listening line, a lock through the client, a clean SIGTERM exit.</summary>
public sealed class DevConsulProcessTests
{
    private static readonly string Knd = Path.Combine(AppContext.BaseDirectory, "knd");
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task DevConsul_OnPortZero_ServesALock_AndExitsCleanlyOnSigterm()
    {
        await using var process = ChildProcess.Start("knd", Knd, ["dev-consul", "--listen", "127.0.0.1:0"]);
        const string Prefix = "dev-consul listening on ";
        var line = await process.WaitForLineAsync(l => l.StartsWith(Prefix + "http://127.0.0.1:", StringComparison.Ordinal), StartLimit, "its listening line");
        var baseAddress = new Uri(line[Prefix.Length..]);
        await process.WaitForLineAsync(l => l.Contains("Never use it in production", StringComparison.Ordinal), StartLimit, "the production warning");
        Assert.Contains(process.StderrLines, l => l.Contains("Never use it in production", StringComparison.Ordinal));

        using var http = ConsulClient.CreateHttpClient(TimeSpan.FromSeconds(2));
        var client = new ConsulClient(new ConsulClientOptions { BaseAddress = baseAddress }, http, TimeProvider.System, NullLogger<ConsulClient>.Instance);
        using var deadline = new CancellationTokenSource(StartLimit);
        var session = await client.CreateSessionAsync(new SessionCreateRequest("node-a", TimeSpan.FromSeconds(15), TimeSpan.Zero, "release", []), deadline.Token);
        Assert.True(session.IsSuccess, session.Error?.ToString());
        var acquired = await client.AcquireAsync("kuutamod-leader/test.near", Encoding.UTF8.GetBytes("{}"), session.Succeeded(), 0, deadline.Token);
        Assert.Equal(AcquireOutcome.Acquired, acquired.Value?.Outcome);
        var read = await client.GetKeyAsync("kuutamod-leader/test.near", KvQuery.ConsistentRead, deadline.Token);
        Assert.Equal(session.Value, read.Value?.Entry?.Session);

        Assert.True(process.Signal(Libc.SigTerm));
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(10));

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{process.Tail()}");
    }

    [Fact]
    public async Task DevConsul_RestartedEmpty_OnTheSamePort_HasForgottenEverything()
    {
        await using var consul = await DevConsulProcess.StartAsync(TimeSpan.FromSeconds(1));
        using var http = ConsulClient.CreateHttpClient(TimeSpan.FromSeconds(2));
        var client = new ConsulClient(new ConsulClientOptions { BaseAddress = consul.BaseAddress }, http, TimeProvider.System, NullLogger<ConsulClient>.Instance);
        using var deadline = new CancellationTokenSource(StartLimit);
        for (var i = 0; i < 5; i++)
        {
            await client.PutKeyAsync("k", Encoding.UTF8.GetBytes($"v{i}"), KvPutOptions.None, deadline.Token);
        }

        var session = await client.CreateSessionAsync(new SessionCreateRequest("node-a", TimeSpan.FromSeconds(15), TimeSpan.Zero, "release", []), deadline.Token);
        var before = (await client.GetKeyAsync("k", KvQuery.Immediate, deadline.Token)).Succeeded();

        await consul.RestartEmptyAsync();
        var after = await client.GetKeyAsync("k", KvQuery.Immediate, deadline.Token);

        Assert.True(after.IsSuccess, after.Error?.ToString());
        Assert.Null(after.Succeeded().Entry);
        Assert.True(after.Succeeded().Index < before.Index, $"index {after.Succeeded().Index} after the restart, {before.Index} before");
        Assert.Null((await client.GetSessionInfoAsync(session.Succeeded(), deadline.Token)).Value);
        Assert.Equal(0, await consul.SessionCountAsync());
    }

    [Fact]
    public async Task DevConsul_RestartedWithBlackhole_KeepsThatClientCutOff_AndAnswersTheOthers()
    {
        await using var consul = await DevConsulProcess.StartAsync(TimeSpan.FromSeconds(1));

        await consul.RestartEmptyAsync(blackholed: ["node-0"]);

        var state = await consul.StateAsync();
        Assert.Equal(["node-0"], state["blackholed"]!.AsArray().Select(n => n!.GetValue<string>()));
        using var http = new HttpClient { BaseAddress = consul.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        using var cut = new HttpRequestMessage(HttpMethod.Get, "v1/status/leader");
        cut.Headers.Add("X-Knd-Node", "node-0");
        await Assert.ThrowsAsync<TaskCanceledException>(() => http.SendAsync(cut));
        using var other = new HttpRequestMessage(HttpMethod.Get, "v1/status/leader");
        other.Headers.Add("X-Knd-Node", "node-1");
        using var answer = await http.SendAsync(other);
        Assert.True(answer.IsSuccessStatusCode, answer.StatusCode.ToString());
    }

    [Fact]
    public async Task DevConsul_WithABadListenAddress_ExitsWithUsageCodeAndOneLine()
    {
        await using var process = ChildProcess.Start("knd", Knd, ["dev-consul", "--listen", "not-an-address"]);

        var exitCode = await process.WaitForExitAsync(StartLimit);

        Assert.Equal(2, exitCode);
        var error = Assert.Single(process.StderrLines);
        Assert.StartsWith("knd dev-consul: --listen:", error, StringComparison.Ordinal);
    }
}
