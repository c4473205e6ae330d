namespace Knd.Localnet;

/// <summary>The service manager's loop, the polls that feed the table and the benchmark, and the orderly stop.</summary>
internal sealed partial class LocalCluster
{
    /// <summary>Asks every knd for its status, reads knd's memory and CPU, and follows the ledger.</summary>
    public async Task<ClusterSnapshot> PollAsync(CancellationToken cancellationToken)
    {
        var statuses = await Task.WhenAll(Units.Select(u => _status.GetAsync(u.State == UnitState.Running && !u.Frozen ? u.Exporter : null, cancellationToken)));
        var nodes = new List<NodeSnapshot>();
        for (var i = 0; i < Units.Count; i++)
        {
            var unit = Units[i];
            var pid = unit.Pid;
            var rss = pid is { } p ? ProcFs.RssMegabytes(p) : null;
            var cpu = pid is { } q ? ProcFs.ReadStat(q)?.CpuTicks : null;
            if (rss is { } mb && mb > MaxKndRssMb)
            {
                MaxKndRssMb = mb;
            }

            nodes.Add(new NodeSnapshot(unit, pid, unit.State == UnitState.Running ? statuses[i] : null, rss, cpu));
        }

        return new ClusterSnapshot(Time.GetUtcNow(), nodes, Ledger.Poll());
    }

    /// <summary>The first unit that failed for good (knd refused its configuration), if any.</summary>
    public DaemonUnit? FailedUnit => Units.FirstOrDefault(u => u.State == UnitState.Failed);

    private async Task ManageAsync(CancellationToken cancellationToken)
    {
        var lastRefresh = Time.GetTimestamp();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                foreach (var unit in Units)
                {
                    await unit.TickAsync(cancellationToken);
                }

                if (Time.GetElapsedTime(lastRefresh) >= TreeRefresh)
                {
                    lastRefresh = Time.GetTimestamp();
                    foreach (var unit in Units)
                    {
                        await unit.RefreshTreeAsync(cancellationToken);
                    }
                }

                await Task.Delay(ManagerTick, Time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stop.CancelAsync();
        await _manager;

        // knd releases its lock and destroys its session on SIGTERM, so the service must outlive every knd.
        await Task.WhenAll(Units.Select(u => u.DisposeAsync().AsTask()));
        await Dcs.DisposeAsync();
        _launcher.Dispose();
        _status.Dispose();
        _stop.Dispose();
        if (!_keepDir)
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open (a log being flushed): the temp directory is the OS's to clean.
            }
        }
    }
}
