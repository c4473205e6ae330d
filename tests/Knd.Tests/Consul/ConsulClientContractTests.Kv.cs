using Knd.Consul;

namespace Knd.Tests.Consul;

public abstract partial class ConsulClientContractTests
{
    [ContractFact]
    public async Task GetKey_Missing_ReturnsNullEntryWithNonZeroIndex()
    {
        var read = Ok(await NewClient().GetKeyAsync(NewKey("missing"), KvQuery.Immediate, Ct));

        Assert.Null(read.Entry);
        Assert.True(read.Index >= 1);
        Assert.True(read.KnownLeader);
    }

    [ContractFact]
    public async Task PutKey_ThenGet_RoundTripsValueAndFlagsWithoutSession()
    {
        var client = NewClient();
        var key = NewKey("plain");

        Assert.True(Ok(await client.PutKeyAsync(key, Bytes("hello"), new KvPutOptions(Flags: 42), Ct)));
        var read = Ok(await client.GetKeyAsync(key, KvQuery.Immediate, Ct));

        var entry = Assert.IsType<KvEntry>(read.Entry);
        Assert.Equal("hello", Text(entry.Value));
        Assert.Equal(42UL, entry.Flags);
        Assert.Null(entry.Session);
        Assert.Equal(0UL, entry.LockIndex);
        Assert.Equal(entry.CreateIndex, entry.ModifyIndex);
        Assert.Equal(entry.ModifyIndex, read.Index);
    }

    [ContractFact]
    public async Task PutKey_EmptyValue_ReadsBackEmpty()
    {
        var client = NewClient();
        var key = NewKey("empty");

        Ok(await client.PutKeyAsync(key, ReadOnlyMemory<byte>.Empty, KvPutOptions.None, Ct));

        Assert.Empty(Ok(await client.GetKeyAsync(key, KvQuery.Immediate, Ct)).Entry!.Value);
    }

    [ContractFact]
    public async Task PutKey_WithCas_WritesOnlyOnTheExpectedIndex()
    {
        var client = NewClient();
        var key = NewKey("cas");

        Assert.True(Ok(await client.PutKeyAsync(key, Bytes("1"), new KvPutOptions(Cas: 0), Ct)));
        Assert.False(Ok(await client.PutKeyAsync(key, Bytes("2"), new KvPutOptions(Cas: 0), Ct)));
        var index = Ok(await client.GetKeyAsync(key, KvQuery.Immediate, Ct)).Entry!.ModifyIndex;
        Assert.False(Ok(await client.PutKeyAsync(key, Bytes("3"), new KvPutOptions(Cas: index + 1000), Ct)));
        Assert.True(Ok(await client.PutKeyAsync(key, Bytes("4"), new KvPutOptions(Cas: index), Ct)));

        Assert.Equal("4", Text(Ok(await client.GetKeyAsync(key, KvQuery.Immediate, Ct)).Entry!.Value));
    }

    [ContractFact]
    public async Task DeleteKey_WithCas_DeletesOnlyOnTheExpectedIndex()
    {
        var client = NewClient();
        var key = NewKey("delete");
        Ok(await client.PutKeyAsync(key, Bytes("x"), KvPutOptions.None, Ct));
        var index = Ok(await client.GetKeyAsync(key, KvQuery.Immediate, Ct)).Entry!.ModifyIndex;

        Assert.False(Ok(await client.DeleteKeyAsync(key, index + 1000, Ct)));
        Assert.True(Ok(await client.DeleteKeyAsync(key, index, Ct)));

        Assert.Null(Ok(await client.GetKeyAsync(key, KvQuery.Immediate, Ct)).Entry);
        Assert.True(Ok(await client.DeleteKeyAsync(key, null, Ct)));
    }

    [ContractFact]
    public async Task Acquire_FreeKey_LocksAtLockIndexOne_AndReacquireKeepsIt()
    {
        var client = NewClient();
        var key = NewKey("lock");
        var session = await NewSessionAsync(client);

        Assert.Equal(AcquireOutcome.Acquired, Ok(await client.AcquireAsync(key, Bytes("v1"), session, 7, Ct)).Outcome);
        var first = Ok(await client.GetKeyAsync(key, KvQuery.Immediate, Ct)).Entry!;
        Assert.Equal(AcquireOutcome.Acquired, Ok(await client.AcquireAsync(key, Bytes("v2"), session, 7, Ct)).Outcome);
        var second = Ok(await client.GetKeyAsync(key, KvQuery.Immediate, Ct)).Entry!;

        Assert.Equal(session, first.Session);
        Assert.Equal(1UL, first.LockIndex);
        Assert.Equal(7UL, first.Flags);
        Assert.Equal(1UL, second.LockIndex);
        Assert.Equal("v2", Text(second.Value));
        Assert.True(second.ModifyIndex > first.ModifyIndex);
    }

    [ContractFact]
    public async Task Acquire_AgainWithTheSameValue_DoesNotBumpModifyIndex()
    {
        var client = NewClient();
        var key = NewKey("noop");
        var session = await NewSessionAsync(client);
        Ok(await client.AcquireAsync(key, Bytes("same"), session, 0, Ct));
        var before = Ok(await client.GetKeyAsync(key, KvQuery.Immediate, Ct)).Entry!.ModifyIndex;

        Assert.Equal(AcquireOutcome.Acquired, Ok(await client.AcquireAsync(key, Bytes("same"), session, 0, Ct)).Outcome);

        Assert.Equal(before, Ok(await client.GetKeyAsync(key, KvQuery.Immediate, Ct)).Entry!.ModifyIndex);
    }

    [ContractFact]
    public async Task Release_ClearsSession_KeepsLockIndex_WritesValueAndFlags_WithoutLockDelay()
    {
        var client = NewClient();
        var key = NewKey("release");
        var holder = await NewSessionAsync(client);
        var next = await NewSessionAsync(client);
        Ok(await client.AcquireAsync(key, Bytes("held"), holder, 1, Ct));

        Assert.True(Ok(await client.ReleaseAsync(key, Bytes("released"), holder, 9, Ct)));
        var released = Ok(await client.GetKeyAsync(key, KvQuery.Immediate, Ct)).Entry!;
        Assert.Null(released.Session);
        Assert.Equal(1UL, released.LockIndex);
        Assert.Equal("released", Text(released.Value));
        Assert.Equal(9UL, released.Flags);

        // An explicit release sets no lock-delay: another session takes the key at once.
        Assert.Equal(AcquireOutcome.Acquired, Ok(await client.AcquireAsync(key, Bytes("mine"), next, 1, Ct)).Outcome);
        Assert.Equal(2UL, Ok(await client.GetKeyAsync(key, KvQuery.Immediate, Ct)).Entry!.LockIndex);
    }

    [ContractFact]
    public async Task Release_ByANonHolder_ReturnsFalse()
    {
        var client = NewClient();
        var key = NewKey("release-other");
        var holder = await NewSessionAsync(client);
        var other = await NewSessionAsync(client);
        Ok(await client.AcquireAsync(key, Bytes("held"), holder, 0, Ct));

        Assert.False(Ok(await client.ReleaseAsync(key, Bytes("x"), other, 0, Ct)));
        Assert.Equal(holder, Ok(await client.GetKeyAsync(key, KvQuery.Immediate, Ct)).Entry!.Session);
    }

    [ContractFact]
    public async Task Acquire_HeldByAnotherSession_ReturnsHeldByOtherNamingTheHolder()
    {
        var client = NewClient();
        var key = NewKey("contended");
        var holder = await NewSessionAsync(client);
        var other = await NewSessionAsync(client);
        Ok(await client.AcquireAsync(key, Bytes("held"), holder, 0, Ct));

        var result = Ok(await client.AcquireAsync(key, Bytes("mine"), other, 0, Ct));

        Assert.Equal(AcquireOutcome.HeldByOther, result.Outcome);
        Assert.Equal(holder, result.Holder);
    }

    [ContractFact]
    public async Task Acquire_AfterTheHolderIsDestroyed_ReturnsLockDelay()
    {
        var client = NewClient();
        var key = NewKey("lock-delay");
        var holder = await NewSessionAsync(client, lockDelay: TimeSpan.FromSeconds(15));
        var next = await NewSessionAsync(client);
        Ok(await client.AcquireAsync(key, Bytes("held"), holder, 3, Ct));

        Ok(await client.DestroySessionAsync(holder, Ct));
        var result = Ok(await client.AcquireAsync(key, Bytes("mine"), next, 3, Ct));

        Assert.Equal(AcquireOutcome.LockDelay, result.Outcome);
        var entry = Ok(await client.GetKeyAsync(key, KvQuery.Immediate, Ct)).Entry!;
        Assert.Null(entry.Session);
        Assert.Equal(1UL, entry.LockIndex);
        Assert.Equal("held", Text(entry.Value));
    }

    [ContractFact]
    public async Task Acquire_AfterAHolderWithZeroLockDelayIsDestroyed_Succeeds()
    {
        var client = NewClient();
        var key = NewKey("no-delay");
        var holder = await NewSessionAsync(client, lockDelay: TimeSpan.Zero);
        var next = await NewSessionAsync(client);
        Ok(await client.AcquireAsync(key, Bytes("held"), holder, 0, Ct));

        Ok(await client.DestroySessionAsync(holder, Ct));

        Assert.Equal(AcquireOutcome.Acquired, Ok(await client.AcquireAsync(key, Bytes("mine"), next, 0, Ct)).Outcome);
    }

    [ContractFact]
    public async Task DestroySession_WithDeleteBehavior_DeletesTheHeldKey()
    {
        var client = NewClient();
        var key = NewKey("delete-behavior");
        var holder = await NewSessionAsync(client, behavior: "delete");
        Ok(await client.AcquireAsync(key, Bytes("held"), holder, 0, Ct));

        Ok(await client.DestroySessionAsync(holder, Ct));

        Assert.Null(Ok(await client.GetKeyAsync(key, KvQuery.Immediate, Ct)).Entry);
    }

    [ContractFact]
    public async Task Acquire_WithADestroyedSession_ReturnsSessionGone()
    {
        var client = NewClient();
        var session = await NewSessionAsync(client);
        Ok(await client.DestroySessionAsync(session, Ct));

        var result = Ok(await client.AcquireAsync(NewKey("gone"), Bytes("x"), session, 0, Ct));

        Assert.Equal(AcquireOutcome.SessionGone, result.Outcome);
    }

    [ContractFact]
    public async Task PutKey_OnALockedKey_OverwritesValue_KeepsSession_AndZeroesLockIndex()
    {
        var client = NewClient();
        var key = NewKey("advisory");
        var holder = await NewSessionAsync(client);
        Ok(await client.AcquireAsync(key, Bytes("held"), holder, 5, Ct));

        Assert.True(Ok(await client.PutKeyAsync(key, Bytes("overwritten"), KvPutOptions.None, Ct)));

        var entry = Ok(await client.GetKeyAsync(key, KvQuery.Immediate, Ct)).Entry!;
        Assert.Equal("overwritten", Text(entry.Value));
        Assert.Equal(holder, entry.Session);
        Assert.Equal(0UL, entry.LockIndex);
        Assert.Equal(0UL, entry.Flags);
    }

    [ContractFact]
    public async Task List_Prefix_ReturnsEveryKeyUnderIt_AndEmptyForNone()
    {
        var client = NewClient();
        var prefix = NewKey("members") + "/";
        var holder = await NewSessionAsync(client);
        Ok(await client.PutKeyAsync(prefix + "a", Bytes("1"), KvPutOptions.None, Ct));
        Ok(await client.AcquireAsync(prefix + "b", Bytes("2"), holder, 0, Ct));
        Ok(await client.PutKeyAsync(prefix.TrimEnd('/'), Bytes("not under the prefix"), KvPutOptions.None, Ct));

        var listed = Ok(await client.ListAsync(prefix, KvQuery.Immediate, Ct));
        var none = Ok(await client.ListAsync(NewKey("nothing") + "/", KvQuery.Immediate, Ct));

        Assert.Equal([prefix + "a", prefix + "b"], listed.Entries.Select(e => e.Key).Order());
        Assert.Equal(holder, listed.Entries.Single(e => e.Key == prefix + "b").Session);
        Assert.Null(listed.Entries.Single(e => e.Key == prefix + "a").Session);
        Assert.True(listed.Index > 0);
        Assert.Empty(none.Entries);
        Assert.True(none.Index > 0);
    }

    [ContractFact]
    public async Task GetKey_StaleAndConsistent_BothSucceedWithALeader()
    {
        var client = NewClient();
        var key = NewKey("consistency");
        Ok(await client.PutKeyAsync(key, Bytes("x"), KvPutOptions.None, Ct));

        var stale = Ok(await client.GetKeyAsync(key, new KvQuery(Consistency: ConsulConsistency.Stale), Ct));
        var consistent = Ok(await client.GetKeyAsync(key, KvQuery.ConsistentRead, Ct));

        Assert.Equal("x", Text(stale.Entry!.Value));
        Assert.Equal("x", Text(consistent.Entry!.Value));
        Assert.True(consistent.KnownLeader);
    }
}
