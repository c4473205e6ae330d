using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Knd.IntegrationTests.Infrastructure;

namespace Knd.IntegrationTests.Deploy;

/// <summary>deploy/grafana/knd-dashboard.json: importable, parameterised, and every query valid PromQL over contract metrics.</summary>
public sealed partial class GrafanaDashboardTests
{
    private static string DashboardPath => RepoPaths.Combine("deploy", "grafana", "knd-dashboard.json");

    [Fact]
    public void Dashboard_HasDatasourceAndAccountVariables()
    {
        var dashboard = Load();
        var variables = dashboard["templating"]!["list"]!.AsArray().Select(v => v!.AsObject()).ToList();

        Assert.InRange(dashboard["schemaVersion"]!.GetValue<int>(), 36, 41);
        Assert.Contains(variables, v => (string?)v["type"] == "datasource" && (string?)v["query"] == "prometheus" && (string?)v["name"] == "datasource");
        var account = Assert.Single(variables, v => (string?)v["name"] == "account");
        Assert.Contains("account", account["definition"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.All(Targets(dashboard), t => Assert.Equal("${datasource}", (string?)t.Panel["datasource"]!["uid"]));
    }

    [Fact]
    public void Dashboard_QueriesFilterByAccountAndUseOnlyContractMetrics()
    {
        var targets = Targets(Load());
        var expressions = string.Join('\n', targets.Select(t => t.Expr));

        Assert.True(targets.Count >= 10, $"only {targets.Count} queries");
        Assert.Empty(ContractMetrics.Unknown(expressions));
        Assert.All(targets.Where(t => t.Expr.Contains("knd_", StringComparison.Ordinal)), t => Assert.Contains("account=~\"$account\"", t.Expr, StringComparison.Ordinal));
        var used = ContractMetrics.Used(expressions);
        string[] required = ["knd_is_leader", "knd_state", "knd_promotions_total", "knd_demotions_total", "knd_session_renew_age_seconds", "knd_neard_block_height", "knd_consul_requests_total", "knd_self_fence_total", "knd_neard_restarts_total"];
        Assert.All(required, name => Assert.Contains(name, used));
    }

    /// <summary>promtool 2.42 has no parse-only command: each query becomes an alert rule and `promtool check rules` parses it.</summary>
    [Fact]
    public async Task Dashboard_EveryQuery_IsValidPromQl()
    {
        var promtool = ExternalTool.Require("promtool", "prometheus");
        var targets = Targets(Load());
        var rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (var i = 0; i < targets.Count; i++)
        {
            var expr = GrafanaVariable().Replace(targets[i].Expr, m => m.Groups["name"].Value switch
            {
                "__rate_interval" or "__interval" or "__range" => "5m",
                "account" => "pool.near",
                "ttl" => "10",
                var other => throw new InvalidOperationException($"panel '{targets[i].Title}' uses an unknown variable ${other}"),
            });
            rules.Append(CultureInfo.InvariantCulture, $"      - alert: Query{i}\n        expr: {JsonSerializer.Serialize(expr)}\n");
        }

        using var temp = new TempDirectory("knd-dashboard-");
        var file = temp.Combine("queries.yml");
        await File.WriteAllTextAsync(file, rules.ToString());

        var result = await promtool.RunAsync(["check", "rules", file], TimeSpan.FromMinutes(1));

        Assert.True(result.ExitCode == 0, result.Describe("promtool check rules (dashboard queries)") + "\n" + rules);
        Assert.Contains($"SUCCESS: {targets.Count} rules found", result.Stdout, StringComparison.Ordinal);
    }

    private static JsonObject Load() => JsonNode.Parse(File.ReadAllText(DashboardPath))!.AsObject();

    private static List<(string Title, JsonObject Panel, string Expr)> Targets(JsonObject dashboard)
    {
        var found = new List<(string, JsonObject, string)>();
        foreach (var panel in dashboard["panels"]!.AsArray().Select(p => p!.AsObject()))
        {
            foreach (var target in panel["targets"]?.AsArray() ?? [])
            {
                found.Add(((string)panel["title"]!, panel, (string)target!["expr"]!));
            }
        }

        return found;
    }

    [GeneratedRegex(@"\$\{?(?<name>\w+)\}?")]
    private static partial Regex GrafanaVariable();
}
