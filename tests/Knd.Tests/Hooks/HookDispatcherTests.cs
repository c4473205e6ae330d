using System.Collections.Concurrent;
using Knd.Configuration;
using Knd.Hooks;
using Knd.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Knd.Tests.Hooks;

/// <summary>Issue 15 item 11: role-change hooks run in the background, one at a time and in order; the pre-promote answer reaches the machine.</summary>
public sealed class HookDispatcherTests
{
    private static readonly HookSettings Both = new("role-hook", "pre-hook", TimeSpan.FromSeconds(30));

    [Fact(Timeout = 30_000)]
    public async Task Observe_WhileAHookHangs_ReturnsAtOnce_AndTheNextChangeWaitsItsTurn()
    {
        var runner = new GatedRunner();
        await using var hooks = new HookDispatcher(runner, Both, "node-a", "v.near", _ => { }, (_, _, _) => { }, NullLogger.Instance);

        hooks.Observe(SupervisorState.Validating, hasValidatorRole: true, null);
        await Deadline.WaitUntilAsync(() => runner.Started.Count == 1, TimeSpan.FromSeconds(10), "the leader hook starts");
        // The first hook stays gated until the test releases it: an Observe that waited for it would never return.
        var observed = Task.Run(() => hooks.Observe(SupervisorState.Startup, hasValidatorRole: false, DemotionReason.SelfFence));
        await observed.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Single(runner.Started);
        runner.Release();
        await Deadline.WaitUntilAsync(() => runner.Started.Count == 2, TimeSpan.FromSeconds(10), "the passive hook starts after the first ended");
        runner.Release();

        var roles = runner.Started.Select(i => $"{i.Variables["KND_OLD_ROLE"]}->{i.Variables["KND_ROLE"]}:{i.Variables["KND_REASON"]}").ToList();
        Assert.Equal(["passive->leader:promoted", "leader->passive:self_fence"], roles);
    }

    [Fact(Timeout = 30_000)]
    public async Task Observe_MoreChangesThanTheQueueHolds_DropsTheOldestWaiting_AndCountsIt()
    {
        var runner = new GatedRunner();
        var counted = new ConcurrentQueue<string>();
        await using var hooks = new HookDispatcher(runner, Both, "node-a", "v.near", _ => { }, (hook, outcome, _) => counted.Enqueue($"{hook}/{outcome}"), NullLogger.Instance);

        hooks.Observe(SupervisorState.Validating, true, null);
        await Deadline.WaitUntilAsync(() => runner.Started.Count == 1, TimeSpan.FromSeconds(10), "the first hook starts");
        var changes = HookDispatcher.QueueCapacity + 2;
        for (var i = 0; i < changes; i++)
        {
            var leader = i % 2 == 1;
            hooks.Observe(leader ? SupervisorState.Validating : SupervisorState.Startup, leader, DemotionReason.Unhealthy);
        }

        Assert.Equal(2, counted.Count(c => c == "on_role_change/dropped"));
        runner.ReleaseAll();
        await Deadline.WaitUntilAsync(() => runner.Started.Count == 1 + HookDispatcher.QueueCapacity, TimeSpan.FromSeconds(10), "the queued hooks run");

        // The latest change is never the one dropped.
        Assert.Equal("leader", runner.Started.Last().Variables["KND_ROLE"]);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(HookOutcome.Ok, true)]
    [InlineData(HookOutcome.Failed, false)]
    [InlineData(HookOutcome.Timeout, false)]
    [InlineData(HookOutcome.StartFailed, false)]
    public async Task RunPrePromote_AnswersTheMachine_OnlyExitZeroAllows(object outcome, bool allowed)
    {
        var posted = new ConcurrentQueue<SupervisorEvent>();
        var runner = new FixedRunner(new HookResult((HookOutcome)outcome, outcome is HookOutcome.Failed ? 1 : null, TimeSpan.FromSeconds(1), "no shell"));
        await using var hooks = new HookDispatcher(runner, Both, "node-a", "v.near", posted.Enqueue, (_, _, _) => { }, NullLogger.Instance);

        hooks.RunPrePromote(new RunPrePromoteAction(7));

        await Deadline.WaitUntilAsync(() => !posted.IsEmpty, TimeSpan.FromSeconds(10), "the hook's answer");
        var finished = Assert.IsType<PrePromoteFinishedEvent>(Assert.Single(posted));
        Assert.Equal(7, finished.Attempt);
        Assert.Equal(allowed, finished.Allowed);
        var invocation = Assert.Single(runner.Invocations);
        Assert.Equal("pre-hook", invocation.Command);
        Assert.Equal(HookKind.PrePromote, invocation.Kind);
    }

    [Fact]
    public void RoleTracker_TellsLeaderOnlyOnceTheKeyIsIn_AndStoppedWhenALeaderShutsDown()
    {
        var roles = new RoleTracker();

        Assert.Null(roles.Observe(SupervisorState.Validating, false, null));
        Assert.Equal(new RoleChange("passive", "leader", "promoted"), roles.Observe(SupervisorState.Validating, true, null));
        Assert.Null(roles.Observe(SupervisorState.Validating, false, DemotionReason.Shutdown));
        Assert.Equal(new RoleChange("leader", "stopped", "shutdown"), roles.Observe(SupervisorState.Shutdown, false, DemotionReason.Shutdown));
        Assert.Null(roles.Observe(SupervisorState.Shutdown, false, DemotionReason.Shutdown));
    }

    [Fact]
    public void RoleTracker_APassiveThatStops_IsNoRoleChange()
    {
        var roles = new RoleTracker();

        Assert.Null(roles.Observe(SupervisorState.Voting, false, null));
        Assert.Null(roles.Observe(SupervisorState.Shutdown, false, null));
    }

    private sealed class GatedRunner : IHookRunner
    {
        private readonly SemaphoreSlim _gate = new(0);

        public ConcurrentQueue<HookInvocation> Started { get; } = new();

        public void Release() => _gate.Release();

        public void ReleaseAll() => _gate.Release(100);

        public async Task<HookResult> RunAsync(HookInvocation invocation, CancellationToken cancellationToken)
        {
            Started.Enqueue(invocation);
            await _gate.WaitAsync(cancellationToken);
            return new HookResult(HookOutcome.Ok, 0, TimeSpan.Zero);
        }
    }

    private sealed class FixedRunner(HookResult result) : IHookRunner
    {
        public ConcurrentQueue<HookInvocation> Invocations { get; } = new();

        public Task<HookResult> RunAsync(HookInvocation invocation, CancellationToken cancellationToken)
        {
            Invocations.Enqueue(invocation);
            return Task.FromResult(result);
        }
    }
}
