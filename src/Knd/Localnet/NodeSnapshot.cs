using Knd.Http;

namespace Knd.Localnet;

/// <summary>One host at one poll: the unit, knd's pid, what knd's <c>/status</c> said (null: no answer), and knd's footprint.</summary>
internal sealed record NodeSnapshot(DaemonUnit Unit, int? Pid, StatusReport? Status, double? RssMb, ulong? CpuTicks)
{
    public string NodeId => Unit.NodeId;

    public bool IsLeader => Status is { IsLeader: true, State: "Validating" };

    /// <summary>What the table shows in the state column.</summary>
    public string StateText => Unit.State switch
    {
        UnitState.Running when Unit.Frozen => "frozen (SIGSTOP)",
        UnitState.Running => Status?.State ?? (Unit.Notify.Status is { } notified ? notified + "?" : "starting"),
        UnitState.Restarting => "restarting",
        UnitState.HostDown => "host down",
        UnitState.Stopping => "stopping",
        UnitState.Failed => "failed",
        _ => "stopped",
    };
}

/// <summary>Every host at one instant, and the ledger lines that arrived since the previous poll.</summary>
internal sealed record ClusterSnapshot(DateTimeOffset Time, IReadOnlyList<NodeSnapshot> Nodes, IReadOnlyList<LedgerEntry> NewEntries)
{
    public IReadOnlyList<NodeSnapshot> Leaders => [.. Nodes.Where(n => n.IsLeader)];

    public NodeSnapshot? Node(string nodeId) => Nodes.FirstOrDefault(n => n.NodeId == nodeId);
}

/// <summary>Reads knd's <c>GET /status</c> (the JSON of <c>knd status --json</c>).</summary>
internal sealed class StatusClient : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(1) };

    public async Task<StatusReport?> GetAsync(Uri? exporter, CancellationToken cancellationToken)
    {
        if (exporter is null)
        {
            return null;
        }

        try
        {
            return await _http.GetFromJsonAsync(new Uri(exporter, "status"), HttpJsonContext.Default.StatusReport, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return null;
        }
    }

    public void Dispose() => _http.Dispose();
}
