using System.Net;
using System.Runtime.Versioning;
using System.Text.Json;
using Knd.Http;
using Knd.Neard;
using Knd.Supervision;
using Knd.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Knd.Tests.Neard;

/// <summary>
/// The shard tracking knd status shows: what config.json holds each time knd prepares the home, and
/// whether knd wrote it (--promotion hot-swap) or only read the operator's.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class NeardTrackingTests : NeardHomeFixture
{
    private static readonly IPEndPoint VoterAddr = IPEndPoint.Parse("0.0.0.0:24568");
    private static readonly HotSwapStandby Standby = new("pool.test", []);
    private readonly List<NeardTracking> _reported = [];
    private readonly NeardHome _home;

    public NeardTrackingTests() => _home = new NeardHome(Home.Path, NullLogger.Instance) { TrackingPrepared = _reported.Add };

    [Fact]
    public void HotSwapVoter_ReportsTheShadowTrackingKndWrote()
    {
        WriteConfig("""{"network":{"addr":"0.0.0.0:24567"}}""");

        _home.PrepareVoter(Credentials.File("voter_node_key.json"), VoterAddr, Standby);

        var tracking = Assert.Single(_reported);
        Assert.Equal("""{"ShadowValidator":"pool.test"}""", tracking.TrackedShardsConfig?.GetRawText());
        Assert.True(tracking.LoadMemTriesForTrackedShards);
        Assert.True(tracking.WrittenByKnd);
        Assert.Null(tracking.TrackedShadowValidator);
        Assert.Equal("""tracked_shards_config {"ShadowValidator":"pool.test"}, load_mem_tries_for_tracked_shards true (written by knd for --promotion hot-swap)""", tracking.Describe());
    }

    [Fact]
    public void RestartVoter_ReportsTheOperatorsTracking_AsRead()
    {
        WriteConfig("""{"tracked_shards_config":"AllShards","store":{"load_mem_tries_for_tracked_shards":false}}""");

        _home.PrepareVoter(Credentials.File("voter_node_key.json"), VoterAddr);

        var tracking = Assert.Single(_reported);
        Assert.Equal("\"AllShards\"", tracking.TrackedShardsConfig?.GetRawText());
        Assert.False(tracking.LoadMemTriesForTrackedShards);
        Assert.False(tracking.WrittenByKnd);
        Assert.EndsWith("(the operator's; knd writes none with --promotion restart)", tracking.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void RestartFallbackAfterAHotSwapStandby_StillSaysTheTrackingIsKnds()
    {
        WriteConfig("""{"tracked_shards":[],"network":{"addr":"0.0.0.0:24567"}}""");
        _home.PrepareVoter(Credentials.File("voter_node_key.json"), VoterAddr, Standby);

        _home.PrepareValidator(Credentials.File("validator_key.json"), Credentials.File("validator_node_key.json"), IPEndPoint.Parse("0.0.0.0:24567"), []);

        Assert.Equal(2, _reported.Count);
        Assert.Equal("pool.test", _reported[1].TrackedShadowValidator);
        Assert.Equal("[]", _reported[1].TrackedShards?.GetRawText());
        Assert.True(_reported[1].WrittenByKnd);
    }

    [Fact]
    public void NothingSet_OrValuesOfTheWrongType_ReadAsNull()
    {
        WriteConfig("""{"tracked_shadow_validator":5,"store":{"load_mem_tries_for_tracked_shards":"yes"}}""");

        _home.PrepareVoter(Credentials.File("voter_node_key.json"), VoterAddr);

        var tracking = Assert.Single(_reported);
        Assert.Null(tracking.TrackedShadowValidator);
        Assert.Null(tracking.LoadMemTriesForTrackedShards);
        Assert.Null(tracking.TrackedShardsConfig);
        Assert.StartsWith("nothing set (neard's defaults)", tracking.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Status_CarriesTheTracking_NullUntilTheHomeIsPrepared()
    {
        var status = new SupervisorStatus(new MonotonicClock(new FakeTimeProvider()), "node-a", "pool.test");
        string Json() => JsonSerializer.Serialize(StatusReport.From(status), HttpJsonContext.Default.StatusReport);

        Assert.Contains("\"tracking\":null", Json(), StringComparison.Ordinal);

        WriteConfig("""{"network":{"addr":"0.0.0.0:24567"}}""");
        new NeardHome(Home.Path, NullLogger.Instance) { TrackingPrepared = t => status.Tracking = t }
            .PrepareVoter(Credentials.File("voter_node_key.json"), VoterAddr, Standby);

        using var json = JsonDocument.Parse(Json());
        var tracking = json.RootElement.GetProperty("tracking");
        Assert.Equal(
            ["tracked_shards_config", "tracked_shadow_validator", "tracked_shards", "load_mem_tries_for_tracked_shards", "written_by_knd"],
            tracking.EnumerateObject().Select(p => p.Name));
        Assert.Equal("pool.test", tracking.GetProperty("tracked_shards_config").GetProperty("ShadowValidator").GetString());
        Assert.True(tracking.GetProperty("load_mem_tries_for_tracked_shards").GetBoolean());
        var back = JsonSerializer.Deserialize(Json(), HttpJsonContext.Default.StatusReport)!;
        Assert.Equal(status.Tracking!.Describe(), back.Tracking!.Describe());
    }

    private void WriteConfig(string content) => File.WriteAllText(Home.File("config.json"), content);
}
