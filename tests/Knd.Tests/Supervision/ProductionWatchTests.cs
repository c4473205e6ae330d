namespace Knd.Tests.Supervision;

/// <summary>Issue 13: the silent leader, the post-promotion check, and a signer outside the cluster.</summary>
public sealed class ProductionWatchTests
{
    /// <summary>The lock key as the tests' quiet cluster has it: free since index 7.</summary>
    private static readonly LockObservation FreeKey = LockObservation.Free(7);

    /// <summary>The lock key as <see cref="MachineHarness.ObserveLock"/> leaves it when node-b's session freed it at index 51.</summary>
    private static readonly LockObservation FreedAt51 = new(true, null, new LockHolder("node-b"), 51, 51);

    private static readonly TimeSpan ReadDelay = TimeSpan.FromMilliseconds(10);

    private static readonly ProductionRules Rules = new() { MischanceConfidence = 3, MaxMischance = 5 };

    private long _scanned = 100;

    [Fact]
    public void Leader_SilentAfterProducing_IsNotProducingOnlyPastMaxMischance()
    {
        var h = Leader();
        Look(h, produced: 4);

        Look(h, missed: Rules.MischanceConfidence + Rules.MaxMischance);
        Assert.False(h.Machine.Snapshot().Production!.NotProducing);

        Look(h, missed: 1);
        Assert.True(h.Machine.Snapshot().Production!.NotProducing);
        Assert.True(h.Machine.IsLeader, "a silent leader stays until a passive is there to take over");
    }

    [Fact]
    public void Leader_HandoverForNotProducing_DemotesNamingTheTarget_AndStaysOutForTheBackoff()
    {
        var h = Leader();
        Look(h, produced: 2);
        Look(h, missed: 20);

        h.Send(new HandoverNowEvent("node-b", DemotionReason.NotProducing));

        Assert.Equal(DemotionReason.NotProducing, h.Machine.LastDemotion);
        h.Send(new NeardStoppedEvent(h.Generation, true, "exited after SIGTERM"));
        Assert.Equal("node-b", h.Last<ReleaseLockAction>().HandoverTo);
        Assert.True(h.Machine.Snapshot().PromotionBackoff >= Rules.NotProducingBackoff - TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Leader_HandoverForNotProducing_AfterProductionResumed_IsIgnored()
    {
        var h = Leader();
        Look(h, produced: 2);
        Look(h, missed: 20);
        Look(h, produced: 1);

        h.Send(new HandoverNowEvent("node-b", DemotionReason.NotProducing));
        h.Advance(TimeSpan.FromSeconds(1));

        Assert.True(h.Machine.IsLeader);
        Assert.Null(h.Machine.LastDemotion);
    }

    [Fact]
    public void Leader_MissesFromBeforeItsPromotion_AreNotItsOwn()
    {
        var h = new MachineHarness(timings: null, production: Rules);
        h.StartAndVote();
        h.Send(new LockObservedEvent(LockObservation.Free(7)));

        // The failover gap: the chain watch reports duties missed before this node promoted.
        h.Send(new AcquireCompletedEvent(MachineHarness.Session, LockAcquireOutcome.Acquired));
        h.Send(new LockConfirmedEvent(MachineHarness.Session, true, 42, null));
        h.Send(new KeyInstalledEvent(h.Generation, null));
        h.Send(new ProductionObservedEvent(0, 30, 60, 101, []));

        Assert.True(h.Machine.IsLeader);
        Assert.False(h.Machine.Snapshot().Production!.NotProducing);
        Assert.Equal(30, h.Machine.Snapshot().Production!.Missed);
    }

    [Fact]
    public void Leader_HotSwapThatProducesNothing_FallsBackToARestartPromotionOnce()
    {
        var h = Leader();

        Look(h, missed: Rules.MischanceConfidence);

        Assert.True(h.Machine.IsLeader);
        var stop = h.Last<StopNeardAction>();
        h.Send(new NeardStoppedEvent(stop.Generation, true, "exited after SIGTERM"));
        Assert.Equal(NeardMode.Validator, h.Last<StartNeardAction>().Mode);
        h.Send(new NeardStartedEvent(h.Generation, 300));
        h.Send(new StatusPolledEvent(h.Generation, new NeardHealthSample(_scanned, false, MachineHarness.AccountId, null)));
        Assert.True(h.Machine.IsLeader);
        Assert.Null(h.Machine.LastDemotion);

        // The restart produces nothing either: now the lock goes.
        Look(h, missed: Rules.MischanceConfidence);
        Assert.Equal(DemotionReason.PromotionFailed, h.Machine.LastDemotion);
        Assert.Equal(1, h.Machine.Counters.PromotionFailures);
    }

    [Fact]
    public void Leader_PromotionThatProduces_IsLeftAlone()
    {
        var h = Leader();

        Look(h, missed: 1);
        Look(h, produced: 1);
        Look(h, missed: 2);

        Assert.True(h.Machine.IsLeader);
        Assert.Single(h.Actions.OfType<InstallKeyAction>());
        Assert.Empty(h.Actions.OfType<StopNeardAction>());
    }

    [Fact]
    public void Passive_BlockSignedWithTheKeyLongAfterTheLockWasFree_DoesNotPromote()
    {
        var h = Passive();
        FreeAndPausedFor(h, h.Timings.FenceBound + TimeSpan.FromSeconds(5));

        Look(h, own: [new OwnBlock(_scanned + 1, TimeSpan.FromMilliseconds(300))]);
        Assert.Empty(h.Actions.OfType<PauseClusterAction>());

        h.Send(new PauseObservedEvent(false));
        Look(h, own: [new OwnBlock(_scanned + 1, TimeSpan.FromMilliseconds(300))]);
        Assert.Equal(2, h.Machine.Counters.StrangerBlocks);
        h.AdvanceLive(TimeSpan.FromSeconds(30));

        Assert.Empty(h.Actions.OfType<AcquireLockAction>());
        Assert.NotNull(h.Machine.Snapshot().Production!.StrangerHeight);
    }

    [Fact]
    public void Passive_ChunkSignedWithTheKeyLongAfterTheLockWasFree_IsAStrangers_AndHoldsOffPromotion()
    {
        var h = Passive();
        FreeAndPausedFor(h, h.Timings.FenceBound + TimeSpan.FromSeconds(5));

        // A chunk-only producer's rogue signs chunks, never blocks; a chunk and a block at one height are one signature.
        var height = _scanned + 1;
        Look(h, own: [new OwnBlock(height, TimeSpan.FromMilliseconds(300))], ownChunks: [new OwnBlock(height, TimeSpan.FromMilliseconds(300))]);
        Assert.Equal(1, h.Machine.Counters.StrangerBlocks);

        h.Send(new PauseObservedEvent(false));
        Look(h, ownChunks: [new OwnBlock(_scanned + 1, TimeSpan.FromMilliseconds(300))]);

        Assert.Equal(2, h.Machine.Counters.StrangerBlocks);
        h.AdvanceLive(TimeSpan.FromSeconds(30));
        Assert.Empty(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void ChunkOnlyLeader_ChainCreditsChunksItsNeardDidNotProduce_NamesAnotherSigner()
    {
        var h = Leader();
        ChunkLook(h, ownChunks: 1, neardChunks: 20);

        // Its neard makes one chunk; the chain credits the account with four.
        ChunkLook(h, ownChunks: 2, neardChunks: 21);
        Assert.Equal(0, h.Machine.Counters.StrangerBlocks);
        ChunkLook(h, ownChunks: 2, neardChunks: 21);

        Assert.Equal(2, h.Machine.Counters.ForeignBlocks);
        Assert.Single(h.Actions.OfType<PauseClusterAction>());
        Assert.Equal("chunks", h.Machine.Snapshot().Production!.Foreign!.Kind);
        Assert.True(h.Machine.IsLeader);
    }

    [Fact]
    public void ChunkOnlyLeader_EveryCreditedChunkItsOwn_NamesNoOne()
    {
        var h = Leader();
        ChunkLook(h, ownChunks: 1, neardChunks: 20);
        ChunkLook(h, ownChunks: 3, neardChunks: 23);
        ChunkLook(h, ownChunks: 2, neardChunks: 25);

        Assert.Equal(0, h.Machine.Counters.StrangerBlocks);
        Assert.Empty(h.Actions.OfType<PauseClusterAction>());
    }

    [Fact]
    public void Leader_ItsOwnChunks_AreNotCountedAgainstItsNeardsBlocks()
    {
        var h = Leader();
        LeaderLook(h, ownBlocks: 1, neardProduced: 40);
        var from = _scanned;
        _scanned += 5;
        h.Send(new StatusPolledEvent(h.Generation, new NeardHealthSample(_scanned, false, MachineHarness.AccountId, null)));
        h.Send(new ProductionObservedEvent(3, 0, from, _scanned, [], new NeardProducedCount(1, 40, _scanned), [.. Enumerable.Range(1, 3).Select(i => new OwnBlock(from + i, TimeSpan.Zero))]));

        Assert.Equal(0, h.Machine.Counters.StrangerBlocks);
        Assert.Empty(h.Actions.OfType<PauseClusterAction>());
    }

    [Fact]
    public void Passive_ViewSaysFreeButAFreshReadFindsAHolder_NamesNoStranger()
    {
        // Cut off from the lock service, this node's last answer said free; another node has since
        // taken the lock and signs (the chaos run's partition-leader then switchover).
        var h = Passive();
        FreeAndPausedFor(h, h.Timings.FenceBound + TimeSpan.FromSeconds(5));
        h.Send(new PauseObservedEvent(false));

        Look(h, own: [new OwnBlock(_scanned + 1, TimeSpan.FromMilliseconds(300))], check: new LockObservation(true, "other-session", null, 90, 90));

        Assert.Single(h.Actions.OfType<CheckLockAction>());
        Assert.Equal(0, h.Machine.Counters.StrangerBlocks);
        Assert.Empty(h.Actions.OfType<PauseClusterAction>());
        Assert.Null(h.Machine.Snapshot().Production!.DoppelgangerHold);
    }

    [Fact]
    public void Passive_KeyTakenAndReleasedSinceTheFreeStreakBegan_NamesNoStranger()
    {
        var h = Passive();
        FreeAndPausedFor(h, h.Timings.FenceBound + TimeSpan.FromSeconds(5));
        h.Send(new PauseObservedEvent(false));

        Look(h, own: [new OwnBlock(_scanned + 1, TimeSpan.FromMilliseconds(300))], check: LockObservation.Free(95));

        Assert.Equal(0, h.Machine.Counters.StrangerBlocks);
        Assert.Empty(h.Actions.OfType<PauseClusterAction>());
    }

    [Fact]
    public void Passive_LockCheckFails_NamesNoStrangerAndChecksAgainOnTheNextBlock()
    {
        var h = Passive();
        FreeAndPausedFor(h, h.Timings.FenceBound + TimeSpan.FromSeconds(5));
        h.Send(new PauseObservedEvent(false));

        var actions = h.Send(new ProductionObservedEvent(0, 0, _scanned, _scanned + 1, [new OwnBlock(_scanned + 1, TimeSpan.Zero)]));
        Assert.Single(actions.OfType<CheckLockAction>());
        h.Time.Advance(ReadDelay);
        h.Send(new LockCheckedEvent(null, h.Clock.Now, new LockServiceError(LockServiceFailure.Unreachable, "no answer")));
        Assert.Equal(0, h.Machine.Counters.StrangerBlocks);

        _scanned++;
        Look(h, own: [new OwnBlock(_scanned + 1, TimeSpan.Zero)]);
        Assert.Equal(2, h.Actions.OfType<CheckLockAction>().Count());
        Assert.Equal(1, h.Machine.Counters.StrangerBlocks);
    }

    [Fact]
    public void Passive_BlockProducedAfterTheCheckWasSent_WaitsForTheNextCheck()
    {
        var h = Passive();
        FreeAndPausedFor(h, h.Timings.FenceBound + TimeSpan.FromSeconds(5));
        h.Send(new PauseObservedEvent(false));

        h.Send(new ProductionObservedEvent(0, 0, _scanned, _scanned + 1, [new OwnBlock(_scanned + 1, TimeSpan.Zero)]));
        var sentBefore = h.Clock.Now - TimeSpan.FromSeconds(1);
        var again = h.Send(new LockCheckedEvent(FreeKey, sentBefore, null));

        // The read left before the block was made: it says nothing about it, so it is read again.
        Assert.Equal(0, h.Machine.Counters.StrangerBlocks);
        Assert.Single(again.OfType<CheckLockAction>());
        h.Time.Advance(ReadDelay);
        h.Send(new LockCheckedEvent(FreeKey, h.Clock.Now, null));
        Assert.Equal(1, h.Machine.Counters.StrangerBlocks);
    }

    [Fact]
    public void Passive_StrangerBlock_PausesTheClusterOnce()
    {
        var h = Passive();
        FreeAndPausedFor(h, h.Timings.FenceBound + TimeSpan.FromSeconds(5));
        Look(h);

        // Resumed, but the chain watch is behind the head, so nobody contends before it looked.
        h.Send(new StatusPolledEvent(h.Generation, new NeardHealthSample(_scanned + 10, false, null, null)));
        h.Send(new PauseObservedEvent(false));
        Answer(h, h.Send(new ProductionObservedEvent(0, 0, _scanned, _scanned + 1, [new OwnBlock(_scanned + 1, TimeSpan.Zero)])));
        Answer(h, h.Send(new ProductionObservedEvent(0, 0, _scanned + 1, _scanned + 2, [new OwnBlock(_scanned + 2, TimeSpan.Zero)])));

        Assert.Single(h.Actions.OfType<PauseClusterAction>());
        Assert.Empty(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void Passive_StrangerWindowOver_ContendsAgain()
    {
        var h = Passive();
        FreeAndPausedFor(h, h.Timings.FenceBound + TimeSpan.FromSeconds(5));
        Look(h, own: [new OwnBlock(_scanned + 1, TimeSpan.Zero)]);

        // The operator resumes while the stranger's block is recent: still nobody promotes.
        h.Send(new PauseObservedEvent(false));

        for (var elapsed = TimeSpan.Zero; elapsed < Rules.DoppelgangerWindow; elapsed += TimeSpan.FromSeconds(1))
        {
            Look(h);
            h.AdvanceLive(TimeSpan.FromSeconds(1));
            Assert.Empty(h.Actions.OfType<AcquireLockAction>());
        }

        Look(h);
        h.AdvanceLive(h.Timings.TickInterval);
        Assert.Single(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void Passive_BlockSignedRightAfterTheOldLeaderLetGo_IsTheOldLeaders()
    {
        var h = Passive();
        h.ObserveLock("other-session", 50);
        h.ObserveLock(null, 51);

        // Produced within the fence bound after the lock was freed: the old leader's last block.
        Look(h, own: [new OwnBlock(_scanned + 1, TimeSpan.Zero)]);

        Assert.Equal(0, h.Machine.Counters.StrangerBlocks);
        Assert.Single(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void Passive_LastHolderPublishesAFailsafeList_ItsBlocksAfterItsSessionEnded_AreNoStrangers()
    {
        // A failsafe leader cut off from a Consul this node reaches signs on under its members' promises.
        var h = Passive();
        h.Send(new PauseObservedEvent(true));
        h.Send(new FailsafeRostersObservedEvent(new Dictionary<string, IReadOnlyList<string>> { ["node-b"] = ["node-b", "node-c"] }));
        h.ObserveLock("other-session", 50);
        h.ObserveLock(null, 51);
        h.AdvanceLive(h.Timings.FenceBound + TimeSpan.FromSeconds(5));

        Look(h, own: [new OwnBlock(_scanned + 1, TimeSpan.Zero)], check: FreedAt51);
        Assert.Equal(0, h.Machine.Counters.StrangerBlocks);

        // Its record drops the list (its tenure ended): a block now is a stranger's.
        h.Send(new FailsafeRostersObservedEvent(new Dictionary<string, IReadOnlyList<string>>()));
        Look(h, own: [new OwnBlock(_scanned + 1, TimeSpan.Zero)], check: FreedAt51);
        Assert.Equal(1, h.Machine.Counters.StrangerBlocks);
    }

    [Fact]
    public void Passive_WhileItsFailsafePromiseBinds_BlocksAreNoStrangers()
    {
        var h = new MachineHarness(production: Rules, peers: new PeerRules { Failsafe = true });
        h.StartAndVote();
        h.Send(new PauseObservedEvent(true));
        h.ObserveLock("other-session", 50);
        h.AdvanceLive(new PeerRules { Failsafe = true }.StartupPromiseWait);
        h.Send(new PromiseRequestedEvent(1, "node-b", "other-session", TimeSpan.FromSeconds(30), LockServiceReachable: false));
        Assert.True(h.Last<AnswerPromiseAction>().Granted);
        h.ObserveLock(null, 51);
        h.AdvanceLive(h.Timings.FenceBound + TimeSpan.FromSeconds(5));

        Look(h, own: [new OwnBlock(_scanned + 1, TimeSpan.Zero)], check: FreedAt51);
        Assert.Equal(0, h.Machine.Counters.StrangerBlocks);

        h.AdvanceLive(TimeSpan.FromSeconds(30));
        Look(h, own: [new OwnBlock(_scanned + 1, TimeSpan.Zero)], check: FreedAt51);
        Assert.Equal(1, h.Machine.Counters.StrangerBlocks);
    }

    [Fact]
    public void Passive_BlockWhileAnotherNodeHoldsTheLock_IsTheHolders()
    {
        var h = Passive();
        h.ObserveLock("other-session", 50);
        h.AdvanceLive(TimeSpan.FromMinutes(1));

        Look(h, own: [new OwnBlock(_scanned + 1, TimeSpan.Zero)]);

        Assert.Equal(0, h.Machine.Counters.StrangerBlocks);
    }

    [Fact]
    public void Passive_ChainWatchBehindTheHead_WaitsForItBeforeContending()
    {
        var h = Passive();
        Look(h);
        h.Send(new StatusPolledEvent(h.Generation, new NeardHealthSample(_scanned + 5, false, null, null)));

        h.ObserveLock(null, 51);
        Assert.Empty(h.Actions.OfType<AcquireLockAction>());

        _scanned += 5;
        Look(h);
        Assert.Single(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void Passive_ChainWatchFailing_DoesNotHoldOffAFailover()
    {
        var h = Passive();
        Look(h);
        h.Send(new StatusPolledEvent(h.Generation, new NeardHealthSample(_scanned + 5, false, null, null)));
        h.Send(new ProductionObserveFailedEvent("block: timeout"));

        h.ObserveLock(null, 51);

        Assert.Single(h.Actions.OfType<AcquireLockAction>());
    }

    [Fact]
    public void Leader_ChainCreditsBlocksItsNeardDidNotProduce_NamesAnotherSigner_PausesOnce_AndKeepsTheLock()
    {
        var h = Leader();
        LeaderLook(h, ownBlocks: 1, neardProduced: 40);
        var firstCounted = _scanned + ForeignBlockCheck.BaseMargin + 1;

        // Its neard produces nothing more (a key that did not take effect), yet the chain credits the account.
        LeaderLook(h, ownBlocks: 1, neardProduced: 40);
        Assert.Equal(0, h.Machine.Counters.StrangerBlocks);
        LeaderLook(h, ownBlocks: 1, neardProduced: 40);
        LeaderLook(h, ownBlocks: 2, neardProduced: 40);

        Assert.Equal(3, h.Machine.Counters.StrangerBlocks);
        Assert.Equal(3, h.Machine.Counters.ForeignBlocks);
        Assert.Single(h.Actions.OfType<PauseClusterAction>());
        var production = h.Machine.Snapshot().Production!;
        Assert.Equal(_scanned, production.StrangerHeight);
        Assert.Equal(new ForeignView(firstCounted, _scanned, 4, 0), production.Foreign);
        Assert.NotNull(production.DoppelgangerHold);
        Assert.True(h.Machine.IsLeader, "stepping down would not stop the other signer");
    }

    [Fact]
    public void Leader_EveryCreditedBlockItsOwn_NamesNoOne()
    {
        var h = Leader();

        // The count that begins the check may already hold a block whose height the watch reaches later.
        LeaderLook(h, ownBlocks: 1, neardProduced: 11);
        long produced = 11;
        for (var look = 0; look < 200; look++)
        {
            var blocks = look % 3;
            produced += blocks;
            LeaderLook(h, ownBlocks: blocks, neardProduced: blocks > 0 ? produced : null);
        }

        Assert.Equal(0, h.Machine.Counters.StrangerBlocks);
        Assert.Empty(h.Actions.OfType<PauseClusterAction>());
        Assert.Null(h.Machine.Snapshot().Production!.Foreign);
    }

    [Fact]
    public void Leader_BlocksItsNeardMadePastTheLooksHeadBeforeTheFirstCount_AreNotAnotherSigners()
    {
        var h = Leader();

        // The first count is read while neard is five heights past the head the look covered (fast
        // blocks, a poll behind), and already holds the five blocks it made there.
        LeaderLook(h, ownBlocks: 1, neardProduced: 10, neardAhead: 5);
        var baseHead = _scanned;

        // The next looks credit those five heights and more; the count rises only by the later ones.
        _scanned = baseHead;
        var from = _scanned;
        _scanned += 8;
        var own = Enumerable.Range(1, 8).Select(i => new OwnBlock(baseHead + i, TimeSpan.Zero)).ToArray();
        h.Send(new StatusPolledEvent(h.Generation, new NeardHealthSample(_scanned, false, MachineHarness.AccountId, null)));
        h.Send(new ProductionObservedEvent(8, 0, from, _scanned, own, new NeardProducedCount(1, 13, _scanned)));

        Assert.Equal(0, h.Machine.Counters.StrangerBlocks);
        Assert.Empty(h.Actions.OfType<PauseClusterAction>());
    }

    [Fact]
    public void Leader_NeardRestarted_ItsCountFromZeroIsNotAnotherSigner()
    {
        var h = Leader();
        LeaderLook(h, ownBlocks: 1, neardProduced: 500);
        LeaderLook(h, ownBlocks: 2, neardProduced: 502);

        // A new neard (a restart promotion, a crash) counts from 0, and may have made blocks before its first count.
        LeaderLook(h, ownBlocks: 3, neardProduced: 3, watch: 2);
        LeaderLook(h, ownBlocks: 2, neardProduced: 5, watch: 2);

        Assert.Equal(0, h.Machine.Counters.StrangerBlocks);
    }

    [Fact]
    public void Leader_CountNotRead_ItsBlocksAreJudgedByTheNextCount()
    {
        var h = Leader();
        LeaderLook(h, ownBlocks: 1, neardProduced: 7);
        LeaderLook(h, ownBlocks: 2, neardProduced: null);
        LeaderLook(h, ownBlocks: 2, neardProduced: null);
        Assert.Equal(0, h.Machine.Counters.StrangerBlocks);

        LeaderLook(h, ownBlocks: 1, neardProduced: 8);

        // Five credited, one produced, one of slack.
        Assert.Equal(3, h.Machine.Counters.ForeignBlocks);
    }

    [Fact]
    public void Passive_NeardCount_IsNotUsed()
    {
        var h = Passive();
        h.ObserveLock("other-session", 50);
        LeaderLook(h, ownBlocks: 1, neardProduced: 0);
        LeaderLook(h, ownBlocks: 5, neardProduced: 0);

        Assert.Equal(0, h.Machine.Counters.StrangerBlocks);
    }

    /// <summary>The cluster paused and the lock free for <paramref name="time"/>: nobody leads, as when a rogue is started.</summary>
    private static void FreeAndPausedFor(MachineHarness h, TimeSpan time)
    {
        h.Send(new PauseObservedEvent(true));
        h.Send(new LockObservedEvent(FreeKey));
        h.AdvanceLive(time);
    }

    private MachineHarness Leader()
    {
        var h = new MachineHarness(timings: null, production: Rules);
        h.StartAndLead();
        return h;
    }

    private MachineHarness Passive()
    {
        var h = new MachineHarness(timings: null, production: Rules);
        h.StartAndVote();
        return h;
    }

    /// <summary>One look by the chain watch covering the next heights up to the head neard reports.</summary>
    /// <remarks>A lock check it asks for is answered by <paramref name="check"/>, by default the key as <see cref="FreeAndPausedFor"/> left it.</remarks>
    private void Look(MachineHarness h, int produced = 0, int missed = 0, OwnBlock[]? own = null, LockObservation? check = null, OwnBlock[]? ownChunks = null)
    {
        var from = _scanned;
        _scanned += 2;
        h.Send(new StatusPolledEvent(h.Generation, new NeardHealthSample(_scanned, false, h.Machine.IsLeader ? MachineHarness.AccountId : null, null)));
        Answer(h, h.Send(new ProductionObservedEvent(produced, missed, from, _scanned, own ?? [], OwnChunks: ownChunks)), check);
    }

    /// <summary>
    /// One look as the leader's chain watch makes it: <paramref name="ownBlocks"/> blocks credited to the
    /// account at the newest heights, and its neard's count read after them, with neard's head then
    /// <paramref name="neardAhead"/> heights past the look's.
    /// </summary>
    private void LeaderLook(MachineHarness h, int ownBlocks, long? neardProduced, long watch = 1, int neardAhead = 0, bool chunks = false)
    {
        var from = _scanned;
        _scanned += ownBlocks + ForeignBlockCheck.BaseMargin + 1;
        var own = Enumerable.Range(0, ownBlocks).Select(i => new OwnBlock(_scanned - i, TimeSpan.Zero)).Reverse().ToArray();
        h.Send(new StatusPolledEvent(h.Generation, new NeardHealthSample(_scanned, false, h.Machine.IsLeader ? MachineHarness.AccountId : null, null)));
        var count = neardProduced is { } produced ? new NeardProducedCount(watch, produced, _scanned + neardAhead, chunks) : null;
        Answer(h, h.Send(chunks
            ? new ProductionObservedEvent(ownBlocks, 0, from, _scanned, [], count, own)
            : new ProductionObservedEvent(ownBlocks, 0, from, _scanned, own, count)));
    }

    /// <summary>As <see cref="LeaderLook"/> for a chunk-only producer: its chunks, and its neard's chunk count.</summary>
    private void ChunkLook(MachineHarness h, int ownChunks, long neardChunks) => LeaderLook(h, ownChunks, neardChunks, chunks: true);

    private static void Answer(MachineHarness h, IReadOnlyList<SupervisorAction> actions, LockObservation? check = null)
    {
        if (actions.OfType<CheckLockAction>().Any())
        {
            // The read leaves a moment after the look that asked for it.
            h.Time.Advance(ReadDelay);
            h.Send(new LockCheckedEvent(check ?? FreeKey, h.Clock.Now, null));
        }
    }
}
