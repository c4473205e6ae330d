using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Knd.Neard;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Knd.Testing;

namespace Knd.Tests.Neard;

public sealed class NeardRpcClientTests
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    [Fact(Timeout = 30_000)]
    public async Task GetStatus_NearcoreStatus_ReturnsHeightSyncingValidatorAndTime()
    {
        await using var neard = await FakeNeard.StartAsync(_ => (200, NeardRpcSamples.Status));
        using var client = neard.Client(CallTimeout);

        var result = await client.GetStatusAsync(CancellationToken.None);

        Assert.True(result.IsSuccess, result.Error?.ToString());
        var status = result.Succeeded();
        Assert.Equal(187456272, status.LatestBlockHeight);
        Assert.False(status.Syncing);
        Assert.Equal(new DateTimeOffset(2025, 2, 12, 22, 10, 10, TimeSpan.Zero).AddTicks(5303417), status.LatestBlockTime);
        Assert.Equal("mypool.pool.f863973.m0", status.ValidatorAccountId);
        Assert.Equal("ed25519:DC7DbfZq4dkPqUKaKpWNimgtRBxnD9rja2KcZRs4e3DL", status.NodePublicKey);
        Assert.Equal("testnet", status.ChainId);
        Assert.Equal("2.4.0", status.Version);
        Assert.Equal(("GET", "/status"), (neard.Requests.Single().Method, neard.Requests.Single().Path));
    }

    [Fact(Timeout = 30_000)]
    public async Task GetStatus_PassiveSyncingNode_HasNoValidatorAccount()
    {
        await using var neard = await FakeNeard.StartAsync(_ => (200, NeardRpcSamples.StatusPassiveSyncing));
        using var client = neard.Client(CallTimeout);

        var status = (await client.GetStatusAsync(CancellationToken.None)).Succeeded();

        Assert.True(status.Syncing);
        Assert.Equal(12, status.LatestBlockHeight);
        Assert.Null(status.ValidatorAccountId);
        Assert.Equal(new DateTimeOffset(2025, 2, 12, 22, 10, 10, TimeSpan.Zero), status.LatestBlockTime);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetStatus_503WithEmptyBody_IsNotReady()
    {
        await using var neard = await FakeNeard.StartAsync(_ => (503, string.Empty));
        using var client = neard.Client(CallTimeout);

        var result = await client.GetStatusAsync(CancellationToken.None);

        Assert.Equal(NeardRpcErrorKind.NotReady, result.Error?.Kind);
        Assert.Equal(503, result.Error?.StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetStatus_HungHandler_IsTimeoutAfterTheCallTimeout()
    {
        await using var neard = await FakeNeard.StartAsync(_ => null);
        using var client = neard.Client(TimeSpan.FromMilliseconds(300));
        var watch = Stopwatch.StartNew();

        var result = await client.GetStatusAsync(CancellationToken.None);

        Assert.Equal(NeardRpcErrorKind.Timeout, result.Error?.Kind);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
    }

    [Fact(Timeout = 30_000)]
    public async Task GetStatus_ClientOfAReplacedNeard_IsATransportError_NotAnException()
    {
        await using var neard = await FakeNeard.StartAsync(_ => (200, NeardRpcSamples.Status));
        var client = neard.Client(CallTimeout);
        // The driver disposes a neard's client when it replaces that neard; a coordinator may still hold it.
        client.Dispose();

        var result = await client.GetStatusAsync(CancellationToken.None);

        Assert.Equal(NeardRpcErrorKind.Transport, result.Error?.Kind);
        Assert.Contains("since replaced", result.Error?.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetStatus_NothingListening_IsConnectionRefused()
    {
        using var client = new NeardRpcClient(new Uri($"http://127.0.0.1:{ClosedPort()}/"), CallTimeout, TimeProvider.System, NullLogger.Instance);

        var result = await client.GetStatusAsync(CancellationToken.None);

        Assert.Equal(NeardRpcErrorKind.ConnectionRefused, result.Error?.Kind);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("<html>gateway</html>")]
    [InlineData("""{"version":{"version":"2.4.0"},"chain_id":"testnet"}""")]
    [InlineData("""{"sync_info":{"latest_block_height":"twelve","syncing":false}}""")]
    [InlineData("")]
    [InlineData("""{"sync_info":null}""")]
    [InlineData("""{"sync_info":{"latest_block_height":null,"syncing":false}}""")]
    [InlineData("""{"sync_info":{"latest_block_height":12,"syncing":null}}""")]
    [InlineData("""{"sync_info":{"latest_block_height":18446744073709551615,"syncing":false}}""")]
    [InlineData("""{"sync_info":{"latest_block_height":-1,"syncing":false}}""")]
    [InlineData("null")]
    public async Task GetStatus_UnusableBody_IsMalformed(string body)
    {
        await using var neard = await FakeNeard.StartAsync(_ => (200, body));
        using var client = neard.Client(CallTimeout);

        var result = await client.GetStatusAsync(CancellationToken.None);

        Assert.Equal(NeardRpcErrorKind.MalformedResponse, result.Error?.Kind);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetStatus_CallerCancels_Throws()
    {
        await using var neard = await FakeNeard.StartAsync(_ => null);
        using var client = neard.Client(TimeSpan.FromSeconds(20));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetStatusAsync(cancel.Token));
    }

    [Fact(Timeout = 30_000)]
    public async Task GetFinalBlockHeight_SendsFinalityFinal_ReturnsHeaderHeight()
    {
        await using var neard = await FakeNeard.StartAsync(_ => (200, NeardRpcSamples.FinalBlock));
        using var client = neard.Client(CallTimeout);

        var result = await client.GetFinalBlockHeightAsync(CancellationToken.None);

        Assert.Equal(187310138, result.Value);
        var request = neard.Requests.Single();
        Assert.Equal(("POST", "/"), (request.Method, request.Path));
        var body = JsonNode.Parse(request.Body)!;
        Assert.Equal("2.0", body["jsonrpc"]!.GetValue<string>());
        Assert.Equal("block", body["method"]!.GetValue<string>());
        Assert.Equal("final", body["params"]!["finality"]!.GetValue<string>());
        Assert.NotNull(body["id"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task JsonRpcError_IsRpcErrorWithNameAndCause()
    {
        await using var neard = await FakeNeard.StartAsync(_ => (200, NeardRpcSamples.UnknownEpoch));
        using var client = neard.Client(CallTimeout);

        var result = await client.GetValidatorsAsync(CancellationToken.None);

        Assert.Equal(NeardRpcErrorKind.RpcError, result.Error?.Kind);
        Assert.Equal("HANDLER_ERROR", result.Error?.RpcName);
        Assert.Equal("UNKNOWN_EPOCH", result.Error?.RpcCause);
        Assert.Contains("Unknown Epoch", result.Error?.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task JsonRpc_Http500WithoutJson_IsHttpError()
    {
        await using var neard = await FakeNeard.StartAsync(_ => (500, "internal"));
        using var client = neard.Client(CallTimeout);

        var result = await client.GetFinalBlockHeightAsync(CancellationToken.None);

        Assert.Equal(NeardRpcErrorKind.HttpError, result.Error?.Kind);
        Assert.Equal(500, result.Error?.StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetValidators_SendsNullParam_ReturnsProductionPerAccount()
    {
        await using var neard = await FakeNeard.StartAsync(_ => (200, NeardRpcSamples.Validators));
        using var client = neard.Client(CallTimeout);

        var result = await client.GetValidatorsAsync(CancellationToken.None);

        var validators = result.Succeeded();
        Assert.Equal(187443633, validators.EpochStartHeight);
        Assert.Equal(3358, validators.EpochHeight);
        Assert.Equal(new ValidatorProduction("mypool.pool.f863973.m0", 10, 12, 40, 41), validators.Find("mypool.pool.f863973.m0"));
        Assert.Equal(2622, validators.Find("kiln.pool.f863973.m0")?.ExpectedBlocks);
        Assert.Equal("[null]", JsonNode.Parse(neard.Requests.Single().Body)!["params"]!.ToJsonString());
    }

    [Theory(Timeout = 30_000)]
    [InlineData(NeardRpcSamples.WindowsTuples)]
    [InlineData(NeardRpcSamples.WindowsObjects)]
    public async Task GetMaintenanceWindows_BothFormats_AreHalfOpenRanges(string answer)
    {
        await using var neard = await FakeNeard.StartAsync(_ => (200, answer));
        using var client = neard.Client(CallTimeout);

        var result = await client.GetMaintenanceWindowsAsync("mypool.pool.f863973.m0", CancellationToken.None);

        Assert.Equal([new BlockRange(1028, 1031), new BlockRange(1034, 1038)], result.Value);
        Assert.False(result.Succeeded()[0].Contains(1031));
        var body = JsonNode.Parse(neard.Requests.Single().Body)!;
        Assert.Equal("EXPERIMENTAL_maintenance_windows", body["method"]!.GetValue<string>());
        Assert.Equal("mypool.pool.f863973.m0", body["params"]!["account_id"]!.GetValue<string>());
    }

    [Fact(Timeout = 30_000)]
    public async Task GetMaintenanceWindows_OldNameUnknown_FallsBackToNewName_AndRemembers()
    {
        await using var neard = await FakeNeard.StartAsync(request =>
            JsonNode.Parse(request.Body)!["method"]!.GetValue<string>() == "maintenance_windows"
                ? (200, NeardRpcSamples.WindowsObjects)
                : (400, NeardRpcSamples.MethodNotFound));
        using var client = neard.Client(CallTimeout);

        var first = await client.GetMaintenanceWindowsAsync("a", CancellationToken.None);
        var second = await client.GetMaintenanceWindowsAsync("a", CancellationToken.None);

        Assert.Equal(2, first.Value?.Count);
        Assert.Equal(2, second.Value?.Count);
        Assert.Equal(
            ["EXPERIMENTAL_maintenance_windows", "maintenance_windows", "maintenance_windows"],
            neard.Requests.Select(r => JsonNode.Parse(r.Body)!["method"]!.GetValue<string>()).ToArray());
    }

    [Theory(Timeout = 30_000)]
    [InlineData("""{"jsonrpc":"2.0","result":[[1028]],"id":"knd"}""")]
    [InlineData("""{"jsonrpc":"2.0","result":[{"start":5}],"id":"knd"}""")]
    [InlineData("""{"jsonrpc":"2.0","result":{"windows":[]},"id":"knd"}""")]
    [InlineData("""{"jsonrpc":"2.0","result":[[9,3]],"id":"knd"}""")]
    [InlineData("""{"jsonrpc":"2.0","id":"knd"}""")]
    [InlineData("""{"jsonrpc":"2.0","result":[["a",1]],"id":"knd"}""")]
    [InlineData("""{"jsonrpc":"2.0","result":[{"start":"x","end":1}],"id":"knd"}""")]
    [InlineData("""{"jsonrpc":"2.0","result":[null],"id":"knd"}""")]
    [InlineData("""{"jsonrpc":"2.0","result":null,"id":"knd"}""")]
    public async Task GetMaintenanceWindows_OtherShapes_AreMalformed(string answer)
    {
        await using var neard = await FakeNeard.StartAsync(_ => (200, answer));
        using var client = neard.Client(CallTimeout);

        var result = await client.GetMaintenanceWindowsAsync("a", CancellationToken.None);

        Assert.Equal(NeardRpcErrorKind.MalformedResponse, result.Error?.Kind);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetMetrics_ReadsReloadsAndExpectedShutdown()
    {
        await using var neard = await FakeNeard.StartAsync(_ => (200, NeardRpcSamples.Metrics));
        using var client = neard.Client(CallTimeout);

        var result = await client.GetMetricsAsync(CancellationToken.None);

        var metrics = result.Succeeded();
        Assert.Equal(3, metrics.ConfigReloadsTotal);
        Assert.Equal(187456300, metrics.BlockExpectedShutdown);
        Assert.Equal(new ExpectedShutdownField(187456300), metrics.MutableExpectedShutdown);
        Assert.Equal(187456272, metrics.Value("near_block_height_head"));
        Assert.Equal(("GET", "/metrics"), (neard.Requests.Single().Method, neard.Requests.Single().Path));
    }

    /// <summary>A port nobody listens on, from below the kernel's ephemeral range so that no port-0 bind elsewhere takes it meanwhile.</summary>
    private static int ClosedPort() => Knd.Localnet.FixedPorts.Next();

    private sealed record RecordedRequest(string Method, string Path, string Body);

    /// <summary>A loopback HTTP server answering each request with (status, body), or never when the answer is null.</summary>
    [Theory(Timeout = 30_000)]
    [InlineData("""{"jsonrpc":"2.0","result":{"header":null},"id":"knd"}""")]
    [InlineData("""{"jsonrpc":"2.0","result":{"header":{"height":null}},"id":"knd"}""")]
    [InlineData("""{"jsonrpc":"2.0","result":{"author":"x"},"id":"knd"}""")]
    [InlineData("""{"jsonrpc":"2.0","result":{"header":{"height":1e400}},"id":"knd"}""")]
    public async Task GetFinalBlockHeight_UnusableResult_IsMalformed(string answer)
    {
        await using var neard = await FakeNeard.StartAsync(_ => (200, answer));
        using var client = neard.Client(CallTimeout);

        var result = await client.GetFinalBlockHeightAsync(CancellationToken.None);

        Assert.Equal(NeardRpcErrorKind.MalformedResponse, result.Error?.Kind);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("""{"jsonrpc":"2.0","result":{"current_validators":null,"epoch_start_height":1},"id":"knd"}""")]
    [InlineData("""{"jsonrpc":"2.0","result":{"current_validators":[null],"epoch_start_height":1},"id":"knd"}""")]
    [InlineData("""{"jsonrpc":"2.0","result":{"current_validators":[{"account_id":null}],"epoch_start_height":1},"id":"knd"}""")]
    [InlineData("""{"jsonrpc":"2.0","result":{"current_validators":[],"epoch_start_height":null},"id":"knd"}""")]
    public async Task GetValidators_UnusableResult_IsMalformed(string answer)
    {
        await using var neard = await FakeNeard.StartAsync(_ => (200, answer));
        using var client = neard.Client(CallTimeout);

        var result = await client.GetValidatorsAsync(CancellationToken.None);

        Assert.Equal(NeardRpcErrorKind.MalformedResponse, result.Error?.Kind);
    }

    private sealed class FakeNeard : IAsyncDisposable
    {
        private readonly ConcurrentQueue<RecordedRequest> _requests = new();
        private LoopbackHttpServer? _server;

        public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

        public static async Task<FakeNeard> StartAsync(Func<RecordedRequest, (int Status, string Body)?> answer)
        {
            var fake = new FakeNeard();
            fake._server = await LoopbackHttpServer.StartAsync(context => fake.HandleAsync(context, answer));
            return fake;
        }

        public NeardRpcClient Client(TimeSpan timeout) => new(_server!.BaseAddress, timeout, TimeProvider.System, NullLogger.Instance);

        public async ValueTask DisposeAsync() => await _server!.DisposeAsync();

        private async Task HandleAsync(HttpContext context, Func<RecordedRequest, (int Status, string Body)?> answer)
        {
            using var reader = new StreamReader(context.Request.Body);
            var request = new RecordedRequest(context.Request.Method, context.Request.Path, await reader.ReadToEndAsync(context.RequestAborted));
            _requests.Enqueue(request);
            if (answer(request) is not { } response)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, context.RequestAborted);
                return;
            }

            context.Response.StatusCode = response.Status;
            if (response.Body.Length > 0)
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(response.Body, context.RequestAborted);
            }
        }
    }
}
