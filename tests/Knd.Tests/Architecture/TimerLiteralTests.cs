using System.Text.RegularExpressions;

namespace Knd.Tests.Architecture;

/// <summary>
/// Keeps every timing of knd's behaviour in FailoverTimings (or PeerRules, ProductionRules) with its
/// reason, as docs/failover-algorithm.md "Timers" lists them: a TimeSpan literal in the daemon's code
/// outside the places below is a timer that escaped the table.
/// </summary>
public sealed partial class TimerLiteralTests
{
    // Folder or file (relative to src/Knd) -> why its literals are not timings of knd's behaviour.
    private static readonly Dictionary<string, string> Exempt = new(StringComparer.Ordinal)
    {
        ["Localnet/"] = "test tool with its own LocalnetTimings",
        ["DevConsul/"] = "test tool",
        ["Commands/"] = "the control CLI's own waits and display, and knd run's is FailoverTimings.RunTerminationTimeout",
        ["Configuration/"] = "option defaults and validation bounds, documented with the options",
        ["Consul/ConsulClient.Kv.cs"] = "Consul's own default_query_time and max_query_time",
        ["Consul/ConsulClient.cs"] = "HTTP connection-pool housekeeping",
        ["Consul/ConsulClientOptions.cs"] = "the request timeout of a client built without the daemon's timings",
        ["Etcd/EtcdClientOptions.cs"] = "the request timeout of a client built without the daemon's timings",
        ["Neard/NeardHttp.cs"] = "HTTP connection-pool housekeeping",
        ["Peers/PeerClient.cs"] = "HTTP connection-pool housekeeping",
    };

    [Fact]
    public void DaemonCode_HasNoTimerLiteral_OutsideTheTimingRecords()
    {
        var source = Path.Combine(RepositoryRoot(), "src", "Knd");
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file).Replace(Path.DirectorySeparatorChar, '/');
            if (relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal)
                || Exempt.Keys.Any(e => e.EndsWith('/') ? relative.StartsWith(e, StringComparison.Ordinal) : relative == e))
            {
                continue;
            }

            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (TimerLiteral().IsMatch(lines[i]))
                {
                    found.Add($"{relative}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }

        Assert.True(found.Count == 0, "timer literals outside FailoverTimings/PeerRules (name them there with a reason, and add a row to docs/failover-algorithm.md \"Timers\"):\n" + string.Join('\n', found));
    }

    [Fact]
    public void TimerLiteralPattern_FindsTheUsualForms()
    {
        Assert.Matches(TimerLiteral(), "await Task.Delay(TimeSpan.FromMilliseconds(20), time, ct);");
        Assert.Matches(TimerLiteral(), "x = TimeSpan.FromSeconds( 5);");
        Assert.Matches(TimerLiteral(), "await Task.Delay(100);");
        Assert.Matches(TimerLiteral(), "TimeSpan.FromMilliseconds(500 * attempt)");
        Assert.DoesNotMatch(TimerLiteral(), "TimeSpan.FromMilliseconds(heartbeat.RenewAgeMs)");
        Assert.DoesNotMatch(TimerLiteral(), "await Task.Delay(_timings.SwitchoverPollInterval, time, ct);");
    }

    [GeneratedRegex(@"TimeSpan\.From(Ticks|Microseconds|Milliseconds|Seconds|Minutes|Hours|Days)\(\s*\d|Task\.Delay\(\s*\d|CancelAfter\(\s*\d|new TimeSpan\(\s*\d")]
    private static partial Regex TimerLiteral();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Knd.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Knd.sln not found above " + AppContext.BaseDirectory);
    }
}
