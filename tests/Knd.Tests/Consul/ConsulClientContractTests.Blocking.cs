using Knd.Consul;

namespace Knd.Tests.Consul;

public abstract partial class ConsulClientContractTests
{
    [ContractFact]
    public async Task BlockingGet_ReturnsWhenTheKeyChanges()
    {
        var client = NewClient();
        var key = NewKey("watched");
        Ok(await client.PutKeyAsync(key, Bytes("before"), KvPutOptions.None, Ct));
        var index = Ok(await client.GetKeyAsync(key, KvQuery.Immediate, Ct)).Index;

        var watching = client.GetKeyAsync(key, new KvQuery(index, TimeSpan.FromSeconds(30)), Ct);
        Ok(await client.PutKeyAsync(key, Bytes("after"), KvPutOptions.None, Ct));
        var changed = Ok(await watching);

        Assert.Equal("after", Text(changed.Entry!.Value));
        Assert.True(changed.Index > index);
    }

    [ContractFact]
    public async Task BlockingGet_WithoutAChange_ReturnsAfterTheWaitWithTheSameIndex()
    {
        var client = NewClient();
        var key = NewKey("quiet");
        Ok(await client.PutKeyAsync(key, Bytes("x"), KvPutOptions.None, Ct));
        var index = Ok(await client.GetKeyAsync(key, KvQuery.Immediate, Ct)).Index;
        var started = TimeProvider.System.GetTimestamp();

        var result = Ok(await client.GetKeyAsync(key, new KvQuery(index, TimeSpan.FromMilliseconds(100)), Ct));

        Assert.Equal(index, result.Index);
        Assert.True(TimeProvider.System.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(90), "the read did not block");
    }

    [ContractFact]
    public async Task BlockingGet_OnAMissingKey_ReturnsWhenTheKeyAppears()
    {
        var client = NewClient();
        var key = NewKey("appears");
        var index = Ok(await client.GetKeyAsync(key, KvQuery.Immediate, Ct)).Index;

        var watching = client.GetKeyAsync(key, new KvQuery(index, TimeSpan.FromSeconds(30)), Ct);
        Ok(await client.PutKeyAsync(key, Bytes("here"), KvPutOptions.None, Ct));
        var appeared = Ok(await watching);

        Assert.Equal("here", Text(appeared.Entry!.Value));
    }

    [ContractFact]
    public async Task Observer_SeesEveryRequestWithItsOutcome()
    {
        var seen = new List<(string Op, string Outcome)>();
        var client = NewClient(observer: (op, outcome) =>
        {
            lock (seen)
            {
                seen.Add((op, outcome));
            }
        });
        var key = NewKey("observed");

        var session = await NewSessionAsync(client);
        Ok(await client.AcquireAsync(key, Bytes("x"), session, 0, Ct));
        Ok(await client.GetKeyAsync(key, KvQuery.Immediate, Ct));
        await client.RenewSessionAsync(Guid.NewGuid().ToString(), Ct);
        Ok(await client.ReleaseAsync(key, Bytes("x"), session, 0, Ct));
        Ok(await client.DestroySessionAsync(session, Ct));

        Assert.Equal(
            [
                ("session_create", "ok"),
                ("kv_acquire", "ok"),
                ("kv_get", "ok"),
                ("session_renew", "session_not_found"),
                ("kv_release", "ok"),
                ("session_destroy", "ok"),
            ],
            seen);
    }
}
