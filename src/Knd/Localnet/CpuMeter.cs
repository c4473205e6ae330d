namespace Knd.Localnet;

/// <summary>
/// knd's CPU use per node over a sliding window, from utime + stime in /proc/PID/stat. A restart
/// (another pid) starts the window again.
/// </summary>
internal sealed class CpuMeter
{
    private readonly TimeSpan _window;
    private readonly Dictionary<string, Queue<(DateTimeOffset Time, int Pid, ulong Ticks)>> _samples = new(StringComparer.Ordinal);

    public CpuMeter(TimeSpan window) => _window = window;

    public void Add(ClusterSnapshot snapshot)
    {
        foreach (var node in snapshot.Nodes)
        {
            if (!_samples.TryGetValue(node.NodeId, out var queue))
            {
                _samples[node.NodeId] = queue = new();
            }

            if (node.Pid is not { } pid || node.CpuTicks is not { } ticks)
            {
                queue.Clear();
                continue;
            }

            if (queue.Count > 0 && queue.Peek().Pid != pid)
            {
                queue.Clear();
            }

            queue.Enqueue((snapshot.Time, pid, ticks));
            while (queue.Count > 2 && snapshot.Time - queue.Peek().Time > _window)
            {
                queue.Dequeue();
            }
        }
    }

    /// <summary>Percent of one core over the window, or null before two samples of one process.</summary>
    public double? Percent(string nodeId)
    {
        if (!_samples.TryGetValue(nodeId, out var queue) || queue.Count < 2)
        {
            return null;
        }

        var first = queue.Peek();
        var last = queue.Last();
        var seconds = (last.Time - first.Time).TotalSeconds;
        return seconds <= 0 ? null : (last.Ticks - first.Ticks) / ProcFs.ClockTicksPerSecond / seconds * 100;
    }
}
