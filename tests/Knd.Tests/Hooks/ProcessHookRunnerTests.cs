using System.Diagnostics;
using Knd.Hooks;
using Knd.Neard;
using Knd.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Knd.Tests.Hooks;

/// <summary>Issue 15 item 11: the hook process: its environment, the secrets kept out of it, and the kill at its timeout.</summary>
public sealed class ProcessHookRunnerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("knd-hook-").FullName;
    private readonly ProcessHookRunner _runner = new(TimeProvider.System, NullLogger.Instance);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact(Timeout = 30_000)]
    public async Task Run_PassesTheRoleVariables_AndReportsExitZero()
    {
        var output = Path.Combine(_dir, "env");
        var variables = HookEnvironment.ForRoleChange("node-a", "validator.near", "passive", "leader", "self_fence");

        var result = await _runner.RunAsync(new HookInvocation(HookKind.OnRoleChange, $"env > '{output}'", variables, TimeSpan.FromSeconds(20)), CancellationToken.None);

        Assert.Equal(HookOutcome.Ok, result.Outcome);
        var env = File.ReadAllLines(output);
        Assert.Contains("KND_ROLE=passive", env);
        Assert.Contains("KND_OLD_ROLE=leader", env);
        Assert.Contains("KND_REASON=self_fence", env);
        Assert.Contains("KND_NODE_ID=node-a", env);
        Assert.Contains("KND_ACCOUNT_ID=validator.near", env);
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_StripsTokensAndKeyPathsFromTheInheritedEnvironment()
    {
        var output = Path.Combine(_dir, "env");
        const string Token = "b1946ac9-2f3e-4c55-9a0e-0123456789ab";
        string[] secrets = ["KND_CONSUL_TOKEN", "CONSUL_HTTP_TOKEN", "KUUTAMO_CONSUL_TOKEN_FILE", "KND_VALIDATOR_KEY", "CREDENTIALS_DIRECTORY", "ETCDCTL_PASSWORD", "MY_API_SECRET"];
        foreach (var name in secrets)
        {
            Environment.SetEnvironmentVariable(name, Token);
        }

        Environment.SetEnvironmentVariable("KND_HOOK_TEST_KEEP_ME_NOT", Token);
        Environment.SetEnvironmentVariable("HOOK_TEST_PLAIN", "kept");
        try
        {
            var runner = new ProcessHookRunner(TimeProvider.System, NullLogger.Instance);
            var result = await runner.RunAsync(new HookInvocation(HookKind.PrePromote, $"env > '{output}'", HookEnvironment.ForPrePromote("node-a", "v.near"), TimeSpan.FromSeconds(20)), CancellationToken.None);

            Assert.Equal(HookOutcome.Ok, result.Outcome);
            var env = File.ReadAllText(output);
            Assert.DoesNotContain(Token, env, StringComparison.Ordinal);
            Assert.Contains("HOOK_TEST_PLAIN=kept", env, StringComparison.Ordinal);
            Assert.Contains("KND_ROLE=leader", env, StringComparison.Ordinal);
            Assert.Contains("PATH=", env, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var name in secrets.Append("KND_HOOK_TEST_KEEP_ME_NOT").Append("HOOK_TEST_PLAIN"))
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_NonZeroExit_IsFailedWithItsCode()
    {
        var result = await _runner.RunAsync(new HookInvocation(HookKind.PrePromote, "echo refusing >&2; exit 3", new Dictionary<string, string>(), TimeSpan.FromSeconds(20)), CancellationToken.None);

        Assert.Equal(HookOutcome.Failed, result.Outcome);
        Assert.Equal(3, result.ExitCode);
        Assert.Equal("exit code 3", result.Describe());
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_PastItsTimeout_KillsTheWholeProcessGroup()
    {
        var pidFile = Path.Combine(_dir, "child");
        var clock = Stopwatch.StartNew();

        // A child in the background that would outlive a kill of the shell alone.
        var result = await _runner.RunAsync(new HookInvocation(HookKind.OnRoleChange, $"sleep 60 & echo $! > '{pidFile}'; wait", new Dictionary<string, string>(), TimeSpan.FromMilliseconds(700)), CancellationToken.None);

        Assert.Equal(HookOutcome.Timeout, result.Outcome);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        var child = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        await Deadline.WaitUntilAsync(() => ProcessGroup.ReadStat("/proc", child) is not { State: not ('Z' or 'X') }, TimeSpan.FromSeconds(10), "the hook's background child is killed");
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_WithoutSetsid_CannotStart()
    {
        var runner = new ProcessHookRunner(TimeProvider.System, NullLogger.Instance, searchPath: _dir);

        var result = await runner.RunAsync(new HookInvocation(HookKind.PrePromote, "exit 0", new Dictionary<string, string>(), TimeSpan.FromSeconds(5)), CancellationToken.None);

        Assert.Equal(HookOutcome.StartFailed, result.Outcome);
        Assert.Contains("setsid", result.Error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_ShellMissing_CannotStart()
    {
        var runner = new ProcessHookRunner(TimeProvider.System, NullLogger.Instance, shell: Path.Combine(_dir, "no-such-shell"));

        var result = await runner.RunAsync(new HookInvocation(HookKind.PrePromote, "exit 0", new Dictionary<string, string>(), TimeSpan.FromSeconds(5)), CancellationToken.None);

        // setsid itself starts, then cannot exec the shell: that is the hook failing, not knd.
        Assert.NotEqual(HookOutcome.Ok, result.Outcome);
    }
}
