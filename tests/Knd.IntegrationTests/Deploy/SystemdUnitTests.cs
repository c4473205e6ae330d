using System.Globalization;
using System.Text.RegularExpressions;
using Knd.Configuration;
using Knd.IntegrationTests.Infrastructure;

namespace Knd.IntegrationTests.Deploy;

/// <summary>deploy/systemd/knd.service: valid for systemd, sandboxed, and consistent with the safety argument.</summary>
public sealed partial class SystemdUnitTests
{
    private const string ShippedExecStart = "/usr/local/bin/knd run";
    private const double MaxExposure = 1.5;
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(1);

    private static string UnitPath => RepoPaths.Combine("deploy", "systemd", "knd.service");

    private static FailoverTimings DefaultTimings => FailoverTimings.From(
        RunOptionDefaults.DefaultSessionTtl, RunOptionDefaults.DefaultLockDelay, null, RunOptionDefaults.DefaultNeardStallTimeout);

    /// <summary>
    /// `systemd-analyze verify` refuses an ExecStart binary that does not exist on this machine, so
    /// it checks a copy whose ExecStart names the knd apphost built next to the tests.
    /// </summary>
    [Fact]
    public async Task Verify_ShippedUnit_ReportsNothing()
    {
        var tool = ExternalTool.Require("systemd-analyze", "systemd");
        var text = await File.ReadAllTextAsync(UnitPath);
        Assert.Contains($"\nExecStart={ShippedExecStart}\n", text, StringComparison.Ordinal);
        var knd = Path.Combine(AppContext.BaseDirectory, "knd");
        Assert.True(File.Exists(knd), $"the knd apphost should be next to the tests: {knd}");

        using var temp = new TempDirectory("knd-unit-");
        var copy = temp.Combine("knd.service");
        await File.WriteAllTextAsync(copy, text.Replace($"\nExecStart={ShippedExecStart}\n", $"\nExecStart={knd} run\n", StringComparison.Ordinal));

        var result = await tool.RunAsync(["verify", copy], ToolTimeout, environment: NoColors);

        Assert.True(result.ExitCode == 0 && result.Output.Length == 0, result.Describe("systemd-analyze verify knd.service"));
    }

    [Fact]
    public async Task Security_ShippedUnit_ExposureAtMostOnePointFive()
    {
        var tool = ExternalTool.Require("systemd-analyze", "systemd");

        var result = await tool.RunAsync(["security", "--offline=true", UnitPath], ToolTimeout, environment: NoColors);

        var match = ExposureLine().Match(result.Stdout);
        Assert.True(match.Success, result.Describe("systemd-analyze security (no 'Overall exposure level' line)"));
        var exposure = double.Parse(match.Groups["score"].Value, CultureInfo.InvariantCulture);
        Assert.True(exposure <= MaxExposure, $"exposure {exposure} is above {MaxExposure}:\n{result.Stdout}");
    }

    [Fact]
    public void Watchdog_FrozenLeader_IsKilledBeforeTheDefaultTtl()
    {
        var timings = DefaultTimings;
        var watchdog = UnitFile.ParseTimeSpan(UnitFile.Load(UnitPath).Single("WatchdogSec"));

        // docs/failover-algorithm.md, "knd freezes": the last tick saw a renewal younger than FenceAfter.
        // knd pings every W/2 and only after a tick within that half period: systemd fires at most 1.5 W after the last tick.
        var deadBy = timings.FenceAfter + timings.TickInterval + (watchdog * 1.5);

        Assert.True(deadBy < timings.SessionTtl, $"FenceAfter + tick + 1.5 x WatchdogSec = {deadBy} must be below the TTL {timings.SessionTtl}");
        Assert.True(watchdog >= timings.TickInterval * 4, $"WatchdogSec={watchdog} leaves too little room for a healthy loop to notify (tick {timings.TickInterval})");
    }

    [Fact]
    public void TimeoutStopSec_CoversKndsOwnShutdown()
    {
        var stop = UnitFile.ParseTimeSpan(UnitFile.Load(UnitPath).Single("TimeoutStopSec"));

        // A demotion ends by the fence bound; releasing the lock and destroying the session follow.
        var needed = DefaultTimings.FenceBound + TimeSpan.FromSeconds(15);

        Assert.True(stop >= needed, $"TimeoutStopSec={stop} cuts knd's shutdown short (needs {needed})");
        Assert.True(stop <= TimeSpan.FromMinutes(2), $"TimeoutStopSec={stop}: a hung stop should not block a reboot for long");
    }

    [Fact]
    public void ServiceSettings_AreTheOnesTheSafetyArgumentNeeds()
    {
        var unit = UnitFile.Load(UnitPath);

        Assert.Equal("notify", unit.Single("Type"));
        Assert.Equal("main", unit.Single("NotifyAccess"));
        Assert.Equal("control-group", unit.Single("KillMode"));
        Assert.Equal("always", unit.Single("Restart"));
        Assert.Equal("/bin/kill -HUP $MAINPID", unit.Single("ExecReload"));
        Assert.Equal("neard", unit.Single("User"));
        Assert.Equal("neard", unit.Single("StateDirectory"));
        Assert.Contains("KND_NEARD_HOME=/var/lib/neard", unit.All("Environment"));
    }

    [Fact]
    public void Credentials_AreWhereKndLooksByDefault()
    {
        var unit = UnitFile.Load(UnitPath);
        var credentials = unit.All("LoadCredential").Select(c => c.Split(':', 2)[0]).ToList();

        Assert.Contains(RunOptionDefaults.ValidatorKeyFileName, credentials);
        Assert.Contains(RunOptionDefaults.ValidatorNodeKeyFileName, credentials);
        Assert.Contains("consul-token", credentials);
        Assert.Contains("KND_CONSUL_TOKEN_FILE=%d/consul-token", unit.All("Environment"));
        Assert.All(unit.All("LoadCredential"), c => Assert.StartsWith("/", c.Split(':', 2)[1], StringComparison.Ordinal));
    }

    private static Dictionary<string, string?> NoColors => new() { ["SYSTEMD_COLORS"] = "0", ["SYSTEMD_PAGER"] = "" };

    [GeneratedRegex(@"Overall exposure level for \S+: (?<score>\d+(\.\d+)?)")]
    private static partial Regex ExposureLine();
}
