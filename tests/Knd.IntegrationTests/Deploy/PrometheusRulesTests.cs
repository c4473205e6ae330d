using System.Text.RegularExpressions;

namespace Knd.IntegrationTests.Deploy;

/// <summary>deploy/prometheus: the alert rules are valid, their promtool unit tests pass, and each alert is tested both ways.</summary>
public sealed partial class PrometheusRulesTests
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(2);

    private static string Directory => RepoPaths.Combine("deploy", "prometheus");

    private static string RulesPath => Path.Combine(Directory, "knd-alerts.yml");

    private static string TestsPath => Path.Combine(Directory, "knd-alerts.test.yml");

    [Fact]
    public async Task CheckRules_AlertRules_AreValid()
    {
        var promtool = ExternalTool.Require("promtool", "prometheus");

        var result = await promtool.RunAsync(["check", "rules", RulesPath], ToolTimeout);

        Assert.True(result.ExitCode == 0, result.Describe("promtool check rules knd-alerts.yml"));
    }

    [Fact]
    public async Task TestRules_AlertUnitTests_Pass()
    {
        var promtool = ExternalTool.Require("promtool", "prometheus");

        var result = await promtool.RunAsync(["test", "rules", Path.GetFileName(TestsPath)], ToolTimeout, workingDirectory: Directory);

        Assert.True(result.ExitCode == 0 && result.Stdout.Contains("SUCCESS", StringComparison.Ordinal), result.Describe("promtool test rules knd-alerts.test.yml"));
    }

    [Fact]
    public async Task CheckConfig_ExampleScrapeConfig_IsValid()
    {
        var promtool = ExternalTool.Require("promtool", "prometheus");

        var result = await promtool.RunAsync(["check", "config", "prometheus.example.yml"], ToolTimeout, workingDirectory: Directory);

        Assert.True(result.ExitCode == 0, result.Describe("promtool check config prometheus.example.yml"));
    }

    [Fact]
    public void UnitTests_CoverEveryAlert_FiringAndQuiet()
    {
        var alerts = AlertName().Matches(File.ReadAllText(RulesPath)).Select(m => m.Groups["name"].Value).ToList();
        var tests = File.ReadAllText(TestsPath);
        Assert.NotEmpty(alerts);

        var untested = alerts
            .Where(a => !Regex.IsMatch(tests, $@"alertname: {a}\s+exp_alerts: \[\]") || !Regex.IsMatch(tests, $@"alertname: {a}\s+exp_alerts:\s+- exp_labels:"))
            .ToList();

        Assert.True(untested.Count == 0, $"alerts without both a firing and a not-firing test case: {string.Join(", ", untested)}");
    }

    [Fact]
    public void AlertRules_UseOnlyContractMetrics()
    {
        var text = File.ReadAllText(RulesPath);

        Assert.Empty(ContractMetrics.Unknown(text));
        Assert.Superset(new HashSet<string>(StringComparer.Ordinal) { "knd_is_leader", "knd_session_renew_age_seconds", "knd_neard_restarts_total", "knd_neard_syncing", "knd_self_fence_total" }, ContractMetrics.Used(text).ToHashSet());
    }

    [GeneratedRegex(@"^\s*- alert: (?<name>\w+)\s*$", RegexOptions.Multiline)]
    private static partial Regex AlertName();
}
