using System.Text;
using System.Text.Json;
using Knd.Cluster;
using Knd.Consul;

namespace Knd.Tests.Supervision;

/// <summary>The Consul driver performs the machine's <see cref="PauseClusterAction"/> as <c>knd pause</c> would, with the reason.</summary>
public sealed class PauseClusterActionTests : IDisposable
{
    private readonly DriverHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task PauseCluster_WritesThePauseKey_WithTheReason()
    {
        byte[]? written = null;
        _h.Consul.Put = (key, value) =>
        {
            Assert.Equal(DriverHarness.LockKey + "/pause", key);
            written = value;
            return FakeConsulClient.Ok(true);
        };

        await _h.Driver.Perform(new PauseClusterAction("a signer outside the cluster signed height 42"), CancellationToken.None);

        var record = JsonSerializer.Deserialize(written!, ClusterJsonContext.Default.PauseRecord)!;
        Assert.True(record.Paused);
        Assert.Equal(DriverHarness.NodeId, record.By);
        Assert.Equal("a signer outside the cluster signed height 42", record.Reason);
        Assert.Single(_h.LinesWith("[3060]"));

        // knd's own reader (the cluster watch) sees it as paused.
        var entry = new KvEntry(DriverHarness.LockKey + "/pause", written!, 0, 0, null, 1, 1);
        Assert.True(ClusterReader.Read(new ClusterKeys(DriverHarness.LockKey), new KvListResult([entry], 9, true)).Paused);
    }

    [Fact]
    public async Task PauseCluster_ConsulFailing_RetriesThenLogsThatTheOperatorMustPause()
    {
        _h.Consul.Put = (_, _) => FakeConsulClient.Fail<bool>();

        var pausing = _h.Driver.Perform(new PauseClusterAction("stranger"), CancellationToken.None);
        await _h.RunUntilAsync(() => pausing.IsCompleted, "the pause attempts to end");

        Assert.Equal(5, _h.Consul.Count("put " + DriverHarness.LockKey + "/pause"));
        Assert.Contains(_h.LinesWith("[3061]"), l => l.Contains("connection refused", StringComparison.Ordinal));
        Assert.Empty(_h.Events);
    }

    [Fact]
    public void PauseRecord_WithoutReason_ReadsAsBefore()
    {
        var old = JsonSerializer.Deserialize("""{"paused":true,"by":"node-b","at":"2026-01-01T00:00:00Z"}"""u8, ClusterJsonContext.Default.PauseRecord)!;

        Assert.True(old.Paused);
        Assert.Null(old.Reason);
        Assert.Contains("\"reason\":null", Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(old, ClusterJsonContext.Default.PauseRecord)), StringComparison.Ordinal);
    }
}
