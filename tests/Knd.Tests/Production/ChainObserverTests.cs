using System.Collections.Concurrent;
using Knd.Neard;
using Knd.Production;
using Knd.Tests.Infrastructure;

namespace Knd.Tests.Production;

/// <summary>The chain watch against a fake neard RPC and a fake wall clock: what it counts, what it asks, what it posts.</summary>
public sealed class ChainObserverTests : IDisposable
{
    private const string Account = "pool.near";
    private readonly FakeTimeProvider _time = new();
    private readonly FakeChainRpc _rpc = new();
    private readonly ConcurrentQueue<SupervisorEvent> _events = new();
    private readonly ProductionBook _book = new();
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ChainObserver _observer;
    private string? _leader = "node-a";
    private bool _validating;
    private int _rpcErrors;

    public ChainObserverTests()
    {
        _observer = new ChainObserver(Account, _time, _events.Enqueue, _book, () => _leader, () => _rpcErrors++, _logs.CreateFactory().CreateLogger("Knd.Production"), () => _validating);
    }

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task FirstLook_SetsTheBaseline_CountsNothing_AndReadsOnlyTheNewestBlocks()
    {
        _rpc.Counts = FakeChainRpc.Production(40, 30);

        await Look(1000);

        var look = Single<ProductionObservedEvent>();
        Assert.Equal((0, 0), (look.Produced, look.Missed));
        Assert.Equal(1000 - ChainObserver.MaxBlocksPerLook, look.FromHeight);
        Assert.Equal(1000, look.ToHeight);
        Assert.Equal(ChainObserver.MaxBlocksPerLook, _rpc.BlockCalls);
        Assert.Equal(1, _rpc.ProductionCalls);
    }

    [Fact]
    public async Task Look_CountsDutyHeights_ByTheKindWithTheMostDutiesSinceThePreviousLook()
    {
        _rpc.Counts = FakeChainRpc.Production(10, 10, endorsementsExpected: 50, endorsementsProduced: 50);
        await Look(100);

        // Two more blocks and chunks expected, one produced of each; five endorsements expected, three produced.
        _rpc.Counts = FakeChainRpc.Production(12, 11, endorsementsExpected: 55, endorsementsProduced: 53);
        await Look(102);

        var look = Last<ProductionObservedEvent>();
        Assert.Equal(3, look.Produced);
        Assert.Equal(2, look.Missed);

        // neard counts the previous head's duty only once a later block exists: it belongs to this look.
        Assert.Equal(99, look.FromHeight);
        Assert.Equal(102, look.ToHeight);
        var stats = _book.Latest;
        Assert.Equal(new DutyCount(12, 11), stats.Blocks);
        Assert.Equal(new DutyCount(55, 53), stats.Endorsements);
        Assert.True(stats.IsValidator);
    }

    [Fact]
    public async Task HeadNotMoved_AsksNothing_ButStillSaysTheWatchIsUpToTheHead()
    {
        await Look(100);
        var calls = _rpc.Calls;

        await Look(100);
        await Look(99);

        Assert.Equal(calls, _rpc.Calls);
        var looks = _events.OfType<ProductionObservedEvent>().ToList();
        Assert.Equal(3, looks.Count);
        Assert.All(looks.Skip(1), l => Assert.Equal((0, 0, 100L, 100L), (l.Produced, l.Missed, l.FromHeight, l.ToHeight)));
    }

    [Fact]
    public async Task SteadyState_CostsAtMostTwoCallsPerBlock()
    {
        await Look(100);
        var calls = _rpc.Calls;

        for (var head = 101; head <= 200; head++)
        {
            await Look(head);
            await Look(head);
        }

        Assert.Equal(2 * 100, _rpc.Calls - calls);
    }

    [Fact]
    public async Task OwnBlocks_AreReportedWithTheirAge_ByHeaderTimestampAndWallClock()
    {
        await Look(100);
        var now = _time.GetUtcNow();
        _rpc.Block(101, "someone.near", now.AddSeconds(-3));
        _rpc.Block(102, Account, now.AddMilliseconds(-1500));
        _rpc.Block(103, Account, now.AddSeconds(5));

        // Each block is read once the next exists: 103 by the look at 104.
        await Look(104);

        var own = Last<ProductionObservedEvent>().OwnBlocks;
        Assert.Equal([102L, 103L], own.Select(b => b.Height));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), own[0].ProducedAgo);
        Assert.Equal(TimeSpan.Zero, own[1].ProducedAgo);
        Assert.Equal(103, _book.Latest.LastProducedHeight);
        Assert.Equal("node-a", _book.Latest.LastProducedBy);
    }

    [Fact]
    public async Task HeadsBlock_IsReadByTheNextLook_SoASignatureThatLandsLateInItsSlotIsSeen()
    {
        await Look(100);

        // The head is 101, and its block does not show the signature yet (it lands late in the slot).
        await Look(101);
        Assert.DoesNotContain(101L, _rpc.BlockHeightsAsked);

        _rpc.Block(101, Account, _time.GetUtcNow());
        await Look(102);

        Assert.Equal([101L], Last<ProductionObservedEvent>().OwnBlocks.Select(b => b.Height));
        Assert.Single(_rpc.BlockHeightsAsked, h => h == 101);
    }

    [Fact]
    public async Task Leader_LookWithItsAccountsBlocks_ReadsNeardsOwnCountAfterTheBlocks()
    {
        _validating = true;
        _rpc.ProducedTotal = 12;
        await Look(100);
        var now = _time.GetUtcNow();
        _rpc.Block(102, Account, now);

        await Look(103);

        Assert.Equal(12, Last<ProductionObservedEvent>().NeardProduced?.Produced);
        Assert.Equal(1000, Last<ProductionObservedEvent>().NeardProduced?.Head);
        Assert.Equal("metrics", _rpc.CallOrder.Last());
    }

    [Fact]
    public async Task NeardsOwnCount_IsReadOnlyByTheLeader_AndOnlyWhenTheChainCreditsTheAccount()
    {
        _rpc.ProducedTotal = 3;
        _rpc.Block(101, Account, _time.GetUtcNow());
        await Look(100);
        await Look(102);
        Assert.Null(Last<ProductionObservedEvent>().NeardProduced);

        _validating = true;
        _rpc.Block(102, "someone.near", _time.GetUtcNow());
        await Look(103);

        Assert.Null(Last<ProductionObservedEvent>().NeardProduced);
        Assert.Equal(0, _rpc.MetricsCalls);
    }

    [Fact]
    public async Task NeardsOwnCountUnreadable_TheLookStillCounts_WithoutIt()
    {
        _validating = true;
        _rpc.Counts = FakeChainRpc.Production(10, 10);
        await Look(100);
        _rpc.Counts = FakeChainRpc.Production(11, 11);
        _rpc.Block(101, Account, _time.GetUtcNow());

        await Look(102);

        var look = Last<ProductionObservedEvent>();
        Assert.Equal(1, look.Produced);
        Assert.Null(look.NeardProduced);
        Assert.Equal(1, _rpcErrors);
        Assert.Empty(_events.OfType<ProductionObserveFailedEvent>());
    }

    [Fact]
    public async Task NeardWithoutTheCounter_SaysOnceThatTheLeadersCheckIsOff()
    {
        _validating = true;
        _rpc.MetricsWithoutCounter = true;
        await Look(100);
        _rpc.Block(101, Account, _time.GetUtcNow());
        _rpc.Block(102, Account, _time.GetUtcNow());

        await Look(102);
        await Look(103);

        Assert.Null(Last<ProductionObservedEvent>().NeardProduced);
        Assert.Single(_logs.Lines, l => l.Contains("[3260]", StringComparison.Ordinal));
        Assert.Equal(0, _rpcErrors);
    }

    [Fact]
    public async Task EachNeardWatched_HasItsOwnCount()
    {
        _validating = true;
        _rpc.ProducedTotal = 40;
        using (var first = new CancellationTokenSource())
        {
            _observer.Watch(_rpc, first.Token)(100);
            await Deadline.WaitUntilAsync(() => _events.OfType<ProductionObservedEvent>().Any(), TimeSpan.FromSeconds(10), "the first look");
            await first.CancelAsync();
        }

        _rpc.ProducedTotal = 1;
        _rpc.Block(101, Account, _time.GetUtcNow());
        using var second = new CancellationTokenSource();
        _observer.Watch(_rpc, second.Token)(102);
        await Deadline.WaitUntilAsync(() => _events.OfType<ProductionObservedEvent>().Any(l => l.ToHeight == 102), TimeSpan.FromSeconds(10), "the look at 102");

        Assert.Equal(new NeardProducedCount(2, 1, 1000), Last<ProductionObservedEvent>().NeardProduced);
    }

    [Fact]
    public async Task HeightsWithoutABlock_AreSkippedHeights_NotFailures()
    {
        await Look(100);

        await Look(110);

        Assert.Empty(_events.OfType<ProductionObserveFailedEvent>());
        Assert.Equal(Enumerable.Range(100, 10).Select(h => (long)h), _rpc.BlockHeightsAsked.Skip(ChainObserver.MaxBlocksPerLook));
    }

    [Fact]
    public async Task Missed_RecordsTheLooksHead_AndWhoLedThen()
    {
        _rpc.Counts = FakeChainRpc.Production(5, 5);
        await Look(100);
        _rpc.Counts = FakeChainRpc.Production(6, 5);
        _leader = null;

        await Look(104);

        Assert.Equal(1, Last<ProductionObservedEvent>().Missed);
        Assert.Equal(104, _book.Latest.LastMissedHeight);
        Assert.Null(_book.Latest.LastMissedBy);
    }

    [Fact]
    public async Task NewEpoch_CountsTheFinishedEpochsLastDuties_ThenTheNewEpochFromZero()
    {
        _rpc.EpochStart = 0;
        _rpc.Counts = FakeChainRpc.Production(30, 30);
        await Look(95);

        // Between the looks the epoch [0, 100) ended with 2 more blocks and chunks (1 produced each),
        // and the new one has 1 expected block and chunk so far, both missed.
        _rpc.Finished(99, FakeChainRpc.Production(32, 31));
        _rpc.EpochStart = 100;
        _rpc.Counts = FakeChainRpc.Production(1, 0);
        await Look(102);

        var look = Last<ProductionObservedEvent>();
        Assert.Equal(1, look.Produced);
        Assert.Equal(1 + 1, look.Missed);
        Assert.Equal(2, _rpc.ProductionCalls - 1);
        Assert.Equal(100, _book.Latest.EpochStartHeight);
        Assert.Equal(new DutyCount(1, 0), _book.Latest.Blocks);
    }

    [Fact]
    public async Task NewEpoch_WhoseEndNeardCannotSay_CountsOnlyTheNewEpoch()
    {
        _rpc.Counts = FakeChainRpc.Production(30, 30);
        await Look(95);
        _rpc.EpochStart = 100;
        _rpc.Counts = FakeChainRpc.Production(2, 2);

        await Look(103);

        var look = Last<ProductionObservedEvent>();
        Assert.Equal((2, 0), (look.Produced, look.Missed));
        Assert.Empty(_events.OfType<ProductionObserveFailedEvent>());
    }

    [Fact]
    public async Task CountersGoingBackwards_StartANewBaseline_NeverNegativeDuties()
    {
        _rpc.Counts = FakeChainRpc.Production(50, 40);
        await Look(100);

        _rpc.Counts = FakeChainRpc.Production(3, 1);
        await Look(101);
        Assert.Equal((0, 0), (Last<ProductionObservedEvent>().Produced, Last<ProductionObservedEvent>().Missed));

        _rpc.Counts = FakeChainRpc.Production(4, 1);
        await Look(102);
        Assert.Equal((0, 1), (Last<ProductionObservedEvent>().Produced, Last<ProductionObservedEvent>().Missed));
    }

    [Fact]
    public async Task AccountNotAValidator_CountsNothing_UntilItHasABaseline()
    {
        _rpc.Counts = null;
        await Look(100);
        Assert.False(_book.Latest.IsValidator);

        _rpc.Counts = FakeChainRpc.Production(20, 0);
        await Look(101);
        _rpc.Counts = FakeChainRpc.Production(21, 0);
        await Look(102);

        Assert.Equal([0, 0, 1], _events.OfType<ProductionObservedEvent>().Select(l => l.Missed));
    }

    [Fact]
    public async Task FailedCall_PostsObserveFailed_AndTheNextLookCountsFromTheOldBaseline()
    {
        _rpc.Counts = FakeChainRpc.Production(10, 10);
        await Look(100);
        _rpc.Counts = FakeChainRpc.Production(11, 11);
        _rpc.FailBlocks = new NeardRpcError(NeardRpcErrorKind.Timeout, "POST /: no answer within 1000ms");

        await Look(101);
        await Look(101);

        // A failed look does not move the watch: the same head is looked at again, and fails again.
        var failed = _events.OfType<ProductionObserveFailedEvent>().ToList();
        Assert.Equal(2, failed.Count);
        Assert.Contains("block: Timeout", failed[0].Error, StringComparison.Ordinal);
        Assert.Equal(2, _rpcErrors);
        Assert.Single(_events.OfType<ProductionObservedEvent>());
        Assert.StartsWith("block: Timeout", _book.Latest.LastError, StringComparison.Ordinal);

        _rpc.FailBlocks = null;
        _rpc.Counts = FakeChainRpc.Production(12, 12);
        await Look(102);

        var look = Last<ProductionObservedEvent>();
        Assert.Equal((2, 0, 99L, 102L), (look.Produced, look.Missed, look.FromHeight, look.ToHeight));
        Assert.Null(_book.Latest.LastError);
        Assert.Contains(_logs.Lines, l => l.Contains("[3252]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExceptionInsideKnd_IsAFailedLook_AndTheWatchGoesOn()
    {
        await Look(100);
        _rpc.ThrowOnBlock = new InvalidOperationException("a bug");

        await Look(101);
        await Look(102);

        Assert.Contains("InvalidOperationException: a bug", Single<ProductionObserveFailedEvent>().Error, StringComparison.Ordinal);
        Assert.Equal(102, Last<ProductionObservedEvent>().ToHeight);
        Assert.Contains(_logs.Lines, l => l.Contains("[3253]", StringComparison.Ordinal) && l.Contains("a bug", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Watch_LooksAtEachHeadThePollReports_UntilItsNeardIsGone()
    {
        using var lifetime = new CancellationTokenSource();
        var heads = _observer.Watch(_rpc, lifetime.Token);

        heads(50);
        await Deadline.WaitUntilAsync(() => _events.OfType<ProductionObservedEvent>().Any(l => l.ToHeight == 50), TimeSpan.FromSeconds(10), "the look at 50");
        heads(51);
        await Deadline.WaitUntilAsync(() => _events.OfType<ProductionObservedEvent>().Any(l => l.ToHeight == 51), TimeSpan.FromSeconds(10), "the look at 51");

        await lifetime.CancelAsync();
        var calls = _rpc.Calls;
        heads(60);
        await Task.Yield();
        Assert.Equal(calls, _rpc.Calls);
    }

    [Fact]
    public async Task ChunkOnlyProducer_ReadsTheNewChunksOfItsShards_AndReportsTheOnesItsKeySigned()
    {
        var now = _time.GetUtcNow();
        _rpc.Counts = ChunkOnly(expectedChunks: 4, shards: [1]);
        await Look(100);

        _rpc.Block(101, "other.near", now);
        _rpc.Chunk(101, 1, Account);
        _rpc.Chunk(101, 0, Account);
        _rpc.Block(102, "other.near", now);
        _rpc.Chunk(102, 1, "other.near");
        _rpc.Block(103, "other.near", now);
        _rpc.Chunk(103, 1, Account, createdAt: 101);
        await Look(104);

        var look = Last<ProductionObservedEvent>();
        Assert.Equal([101L], look.OwnChunks!.Select(c => c.Height));
        Assert.Empty(look.OwnBlocks);
        Assert.Equal(101, _book.Latest.LastProducedHeight);

        // Shard 0 is not this validator's; the chunk at 103 is the one of 101 carried over: neither is read.
        Assert.Equal([(101L, 1L), (102L, 1L)], _rpc.ChunksAsked);
    }

    [Fact]
    public async Task ChunkOnlyLeader_LookWithItsChunks_ReadsNeardsChunkCount()
    {
        _validating = true;
        _rpc.ProducedTotal = 0;
        _rpc.ChunkProducedTotal = 7;
        _rpc.Counts = ChunkOnly(expectedChunks: 3, shards: [0]);
        await Look(100);
        _rpc.Block(101, "other.near", _time.GetUtcNow());
        _rpc.Chunk(101, 0, Account);

        await Look(102);

        var count = Last<ProductionObservedEvent>().NeardProduced;
        Assert.Equal((7L, true), (count?.Produced, count?.Chunks));
    }

    [Fact]
    public async Task ChunkOnlyLeader_NeardWithoutAChunkCount_TurnsTheCheckOff_SaidOnce()
    {
        _validating = true;
        _rpc.ProducedTotal = 3;
        _rpc.Counts = ChunkOnly(expectedChunks: 3, shards: [0]);
        await Look(100);
        _rpc.Block(101, "other.near", _time.GetUtcNow());
        _rpc.Chunk(101, 0, Account);
        _rpc.Block(102, "other.near", _time.GetUtcNow());
        _rpc.Chunk(102, 0, Account);

        await Look(102);
        await Look(103);

        Assert.Null(Last<ProductionObservedEvent>().NeardProduced);
        Assert.Single(_logs.Lines, l => l.Contains("[3260]", StringComparison.Ordinal) && l.Contains("near_chunk_produced_total", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BlockProducer_ReadsNoChunks()
    {
        _rpc.Counts = FakeChainRpc.Production(4, 4);
        await Look(100);
        _rpc.Block(101, Account, _time.GetUtcNow());
        _rpc.Chunk(101, 0, Account);

        await Look(102);

        Assert.Equal(0, _rpc.ChunkCalls);
        Assert.Null(Last<ProductionObservedEvent>().OwnChunks);
    }

    [Fact]
    public async Task ChunkOnlyProducer_WithoutShardsInValidators_ReadsEveryNewChunk()
    {
        _rpc.Counts = ChunkOnly(expectedChunks: 2, shards: []);
        await Look(100);
        _rpc.Block(101, "other.near", _time.GetUtcNow());
        _rpc.Chunk(101, 0, "other.near");
        _rpc.Chunk(101, 3, Account);

        await Look(102);

        Assert.Equal([101L], Last<ProductionObservedEvent>().OwnChunks!.Select(c => c.Height));
        Assert.Equal([(101L, 0L), (101L, 3L)], _rpc.ChunksAsked);
    }

    [Fact]
    public async Task ChunkOnlyProducer_ABlockWithMoreChunksThanTheBound_IsReadOnlyUpToIt()
    {
        _rpc.Counts = ChunkOnly(expectedChunks: 2, shards: []);
        await Look(100);
        _rpc.Block(101, "other.near", _time.GetUtcNow());
        for (var shard = 0; shard < 100; shard++)
        {
            _rpc.Chunk(101, shard, "other.near");
        }

        await Look(102);

        Assert.Equal(ChainObserver.MaxChunkReadsPerBlock, _rpc.ChunkCalls);
        Assert.Equal(102, Last<ProductionObservedEvent>().ToHeight);
    }

    [Fact]
    public async Task ChunkNotKept_IsSkipped_AndSaidOnce()
    {
        _rpc.Counts = ChunkOnly(expectedChunks: 2, shards: [0]);
        await Look(100);
        _rpc.Block(101, "other.near", _time.GetUtcNow());
        _rpc.Block(102, "other.near", _time.GetUtcNow());
        _rpc.Chunk(101, 0, Account);
        _rpc.Chunk(102, 0, Account);
        _rpc.FailChunks = new NeardRpcError(NeardRpcErrorKind.RpcError, "chunk: Chunk Missing", 200, "HANDLER_ERROR", "UNKNOWN_CHUNK", -32000);

        await Look(103);

        var look = Last<ProductionObservedEvent>();
        Assert.Equal(103, look.ToHeight);
        Assert.Null(look.OwnChunks);
        Assert.Empty(_events.OfType<ProductionObserveFailedEvent>());
        Assert.Single(_logs.Lines, l => l.Contains("[3261]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChunkReadFails_TheLookFails_AndTheNextLookReadsThoseHeightsAgain()
    {
        _rpc.Counts = ChunkOnly(expectedChunks: 2, shards: [0]);
        await Look(100);
        _rpc.Block(101, "other.near", _time.GetUtcNow());
        _rpc.Chunk(101, 0, Account);
        _rpc.FailChunks = new NeardRpcError(NeardRpcErrorKind.Timeout, "chunk: timed out");

        await Look(102);
        Assert.Contains("chunk", Single<ProductionObserveFailedEvent>().Error, StringComparison.Ordinal);

        _rpc.FailChunks = null;
        await Look(102);
        Assert.Equal([101L], Last<ProductionObservedEvent>().OwnChunks!.Select(c => c.Height));
    }

    private static AccountProduction ChunkOnly(long expectedChunks, IReadOnlyList<long> shards) =>
        new(new DutyCount(0, 0), new DutyCount(expectedChunks, expectedChunks), new DutyCount(expectedChunks, expectedChunks), shards);

    private Task Look(long head) => _observer.LookAsync(_rpc, head, CancellationToken.None);

    private T Single<T>() => Assert.Single(_events.OfType<T>());

    private T Last<T>() => _events.OfType<T>().Last();
}
