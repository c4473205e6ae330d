
namespace Knd.Tests.Supervision;

/// <summary>
/// Runs the state machine against a randomised model of Consul and neard (delays, failures, crashes,
/// partitions, a competing node) and checks the safety invariants of contract §4 after every step.
/// Seeds are fixed, so a failure reproduces.
/// </summary>
public sealed class SafetyPropertyTests
{
    public static TheoryData<bool, int> Seeds()
    {
        var data = new TheoryData<bool, int>();
        foreach (var mode in new[] { true, false })
        {
            for (var seed = 1; seed <= 60; seed++)
            {
                data.Add(mode, seed);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomWorld_NeverSignsWithoutTheLock_AndStopsBeforeTheSessionCanExpire(bool hotSwap, int seed)
    {
        var world = new ModelWorld(hotSwap ? PromotionMode.HotSwap : PromotionMode.Restart, seed);

        world.Run(TimeSpan.FromMinutes(3));

        Assert.True(world.Violations.Count == 0, $"seed {seed}: {string.Join("; ", world.Violations.Take(3))}");
        Assert.True(world.Promotions > 0 || world.NeverHadAChance, $"seed {seed}: the model never let the node lead; the test checks nothing");
    }

    /// <summary>The random world (NeverHadAChance: no acquire was ever sent while Consul was reachable). Consul expires a session at the earliest moment it may: TTL after the last renewal it saw.</summary>
    private sealed class ModelWorld
    {
        private readonly MachineHarness _h;
        private readonly Random _random;
        private readonly List<(TimeSpan Due, SupervisorEvent Event)> _pending = [];
        private readonly Dictionary<string, TimeSpan> _sessionLastRenewAtServer = [];
        private string? _holder;
        private ulong _index = 10;
        private bool _reachable = true;
        private int _sessions;
        private int _validatorGeneration = -1;
        private bool _neardRunning;
        private int _runningGeneration;
        private long _height = 100;
        private bool _exited;

        public ModelWorld(PromotionMode mode, int seed)
        {
            _h = new MachineHarness(mode);
            _random = new Random(seed);
        }

        public List<string> Violations { get; } = [];

        public int Promotions => (int)_h.Machine.Counters.Promotions;

        public bool NeverHadAChance { get; private set; } = true;

        private TimeSpan Now => _h.Clock.Now;

        public void Run(TimeSpan duration)
        {
            Handle(_h.Send(TickEvent.Instance));
            while (Now < duration && !_exited)
            {
                foreach (var action in _h.Advance(_h.Timings.TickInterval))
                {
                    Handle([action]);
                }

                Deliver();
                Environment(duration);
                ExpireSessions();
            }
        }

        private void Deliver()
        {
            var due = _pending.Where(p => p.Due <= Now).ToList();
            foreach (var item in due)
            {
                _pending.Remove(item);
                if (item.Event is NeardStoppedEvent { Confirmed: true } stopped && stopped.Generation == _runningGeneration)
                {
                    _neardRunning = false;
                }

                Handle(_h.Send(item.Event));
            }
        }

        private void Later(TimeSpan delay, SupervisorEvent supervisorEvent) => _pending.Add((Now + delay, supervisorEvent));

        private TimeSpan Ms(int max) => TimeSpan.FromMilliseconds(_random.Next(0, max));

        private void Environment(TimeSpan duration)
        {
            var roll = _random.NextDouble();
            if (roll < 0.002)
            {
                _reachable = !_reachable;
            }
            else if (roll < 0.003 && _neardRunning)
            {
                Crash();
            }
            else if (roll < 0.004 && _holder is null)
            {
                // Another node takes the free lock.
                _holder = "other-node-session";
                Observe();
            }
            else if (roll < 0.006 && _holder == "other-node-session")
            {
                _holder = null;
                Observe();
            }

            if (_neardRunning && _random.NextDouble() < 0.2)
            {
                var fail = _random.NextDouble() < 0.1;
                var syncing = _random.NextDouble() < 0.02;
                _height += _random.Next(0, 3);
                var validator = _validatorGeneration == _runningGeneration ? MachineHarness.AccountId : null;
                var sample = fail ? NeardHealthSample.Failed("timeout") : new NeardHealthSample(_height, syncing, validator, null);
                Later(Ms(50), new StatusPolledEvent(_runningGeneration, sample));
            }

            if (Now > duration - TimeSpan.FromSeconds(20) && _random.NextDouble() < 0.01)
            {
                Handle(_h.Send(new StopRequestedEvent()));
            }
        }

        private void Crash()
        {
            var generation = _runningGeneration;
            _neardRunning = false;
            _validatorGeneration = -1;
            Handle(_h.Send(new NeardExitedEvent(generation, 100 + generation, 1)));
        }

        private void ExpireSessions()
        {
            foreach (var (session, renewedAt) in _sessionLastRenewAtServer.ToList())
            {
                if (Now - renewedAt < _h.Timings.SessionTtl)
                {
                    continue;
                }

                _sessionLastRenewAtServer.Remove(session);
                if (_holder == session)
                {
                    if (ValidatorRunning)
                    {
                        Violations.Add($"{Now}: session {session} expired while its validator neard still ran");
                    }

                    _holder = null;
                    Observe();
                }
            }
        }

        private bool ValidatorRunning => _neardRunning && _validatorGeneration == _runningGeneration;

        private void Observe()
        {
            _index++;
            var observation = new LockObservation(true, _holder, null, _index, _index);
            Later(Ms(100), new LockObservedEvent(observation));
        }

        private void Handle(IReadOnlyList<SupervisorAction> actions)
        {
            foreach (var action in actions)
            {
                Perform(action);
            }
        }

        private void Perform(SupervisorAction action)
        {
            switch (action)
            {
                case StartNeardAction start:
                    if (start.Mode == NeardMode.Validator)
                    {
                        CheckMaySign("start a validator neard");
                        _validatorGeneration = start.Generation;
                    }

                    _runningGeneration = start.Generation;
                    _neardRunning = true;
                    Later(Ms(300), new NeardStartedEvent(start.Generation, 100 + start.Generation));
                    break;
                case InstallKeyAction install:
                    CheckMaySign("hot-swap the key");
                    _validatorGeneration = install.Generation;
                    Later(Ms(100), new KeyInstalledEvent(install.Generation, null));
                    break;
                case StopNeardAction stop:
                    // The shell's stop is bounded: SIGTERM grace, then SIGKILL and its confirmation.
                    var bound = _h.Timings.NeardStopTimeout + _h.Timings.NeardKillConfirmTimeout;
                    var took = TimeSpan.FromTicks((long)(bound.Ticks * _random.NextDouble()));
                    _pending.Add((Now + took, new NeardStoppedEvent(stop.Generation, true, "stopped")));
                    break;
                case CreateSessionAction:
                    if (_reachable)
                    {
                        var id = $"s{++_sessions}";
                        _sessionLastRenewAtServer[id] = Now;
                        Later(Ms(200), new SessionCreatedEvent(id, Now));
                    }
                    else
                    {
                        Later(_h.Timings.ConsulRequestTimeout, new SessionCreateFailedEvent(new LockServiceError(LockServiceFailure.Unreachable, "t")));
                    }

                    break;
                case RenewSessionAction renew:
                    if (!_reachable)
                    {
                        Later(_h.Timings.ConsulRequestTimeout, new SessionRenewFailedEvent(renew.SessionId, new LockServiceError(LockServiceFailure.Unreachable, "t")));
                    }
                    else if (_sessionLastRenewAtServer.ContainsKey(renew.SessionId))
                    {
                        var sentAt = Now;
                        var latency = Ms(400);
                        _sessionLastRenewAtServer[renew.SessionId] = Now + latency / 2;
                        Later(latency, new SessionRenewedEvent(renew.SessionId, sentAt));
                    }
                    else
                    {
                        Later(Ms(100), new SessionRenewFailedEvent(renew.SessionId, new LockServiceError(LockServiceFailure.SessionGone, "gone")));
                    }

                    break;
                case DestroySessionAction destroy:
                    if (_holder == destroy.SessionId && ValidatorRunning)
                    {
                        Violations.Add($"{Now}: destroyed lock-holding session {destroy.SessionId} while the validator neard ran");
                    }

                    if (_reachable)
                    {
                        _sessionLastRenewAtServer.Remove(destroy.SessionId);
                        if (_holder == destroy.SessionId)
                        {
                            _holder = null;
                            Observe();
                        }
                    }

                    Later(Ms(100), new SessionDestroyedEvent(destroy.SessionId, _reachable));
                    break;
                case AcquireLockAction acquire:
                    NeverHadAChance &= !_reachable;
                    if (!_reachable)
                    {
                        Later(_h.Timings.ConsulRequestTimeout, new AcquireCompletedEvent(acquire.SessionId, LockAcquireOutcome.Failed, new LockServiceError(LockServiceFailure.Unreachable, "t")));
                    }
                    else if (!_sessionLastRenewAtServer.ContainsKey(acquire.SessionId))
                    {
                        Later(Ms(100), new AcquireCompletedEvent(acquire.SessionId, LockAcquireOutcome.SessionGone));
                    }
                    else if (_holder is null)
                    {
                        _holder = acquire.SessionId;
                        Observe();
                        Later(Ms(100), new AcquireCompletedEvent(acquire.SessionId, LockAcquireOutcome.Acquired));
                    }
                    else
                    {
                        Later(Ms(100), new AcquireCompletedEvent(acquire.SessionId, LockAcquireOutcome.HeldByOther));
                    }

                    break;
                case ConfirmLockAction confirm:
                    if (_reachable)
                    {
                        Later(Ms(100), new LockConfirmedEvent(confirm.SessionId, _holder == confirm.SessionId, _index, null));
                    }
                    else
                    {
                        Later(_h.Timings.ConsulRequestTimeout, new LockConfirmedEvent(confirm.SessionId, false, 0, new LockServiceError(LockServiceFailure.Unreachable, "t")));
                    }

                    break;
                case ReleaseLockAction release:
                    if (ValidatorRunning)
                    {
                        Violations.Add($"{Now}: released the lock while the validator neard ran");
                    }

                    if (_reachable && _holder == release.SessionId)
                    {
                        _holder = null;
                        Observe();
                    }

                    Later(Ms(100), new LockReleasedEvent(release.SessionId, _reachable));
                    break;
                case RemoveValidatorKeyAction:
                    break;
                case ExitAction:
                    _exited = true;
                    break;
            }
        }

        private void CheckMaySign(string what)
        {
            var session = _h.Machine.Snapshot().SessionId;
            if (session is null || _holder != session)
            {
                Violations.Add($"{Now}: tried to {what} while Consul's lock holder is {_holder ?? "nobody"}");
            }
        }
    }
}
