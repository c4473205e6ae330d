using Knd.Consul;

namespace Knd.Tests.Consul;

public abstract partial class ConsulClientContractTests
{
    [ContractFact]
    public async Task AnyCall_WithoutAToken_IsPermissionDenied()
    {
        var error = Failed(await NewClient(token: string.Empty).CreateSessionAsync(new SessionCreateRequest("n", Ttl, DefaultLockDelay, "release", []), Ct), ConsulErrorKind.PermissionDenied);

        Assert.Equal(403, error.StatusCode);
        Assert.StartsWith("Consul refused the ACL token (403): Permission denied", error.Message, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task AnyCall_WithAnUnknownToken_IsPermissionDeniedAclNotFound()
    {
        var error = Failed(await NewClient(token: Guid.NewGuid().ToString()).GetKeyAsync(NewKey("k"), KvQuery.Immediate, Ct), ConsulErrorKind.PermissionDenied);

        Assert.Contains("ACL not found", error.Message, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task StatusLeader_NeedsNoToken()
    {
        Assert.NotEqual(string.Empty, Ok(await NewClient(token: string.Empty).GetLeaderAsync(Ct)));
    }

    [ContractFact]
    public async Task RefusedCalls_NeverShowTheToken_InErrorsOrLogs()
    {
        var secret = "knd-secret-" + Guid.NewGuid().ToString("N");
        var client = NewClient(token: secret);
        var key = NewKey("secret");

        var errors = new List<ConsulError?>
        {
            (await client.CreateSessionAsync(new SessionCreateRequest("n", Ttl, DefaultLockDelay, "release", []), Ct)).Error,
            (await client.RenewSessionAsync(Guid.NewGuid().ToString(), Ct)).Error,
            (await client.DestroySessionAsync(Guid.NewGuid().ToString(), Ct)).Error,
            (await client.GetSessionInfoAsync(Guid.NewGuid().ToString(), Ct)).Error,
            (await client.GetKeyAsync(key, KvQuery.Immediate, Ct)).Error,
            (await client.PutKeyAsync(key, Bytes("x"), KvPutOptions.None, Ct)).Error,
            (await client.AcquireAsync(key, Bytes("x"), Guid.NewGuid().ToString(), 0, Ct)).Error,
            (await client.ReleaseAsync(key, Bytes("x"), Guid.NewGuid().ToString(), 0, Ct)).Error,
            (await client.DeleteKeyAsync(key, null, Ct)).Error,
            (await client.GetAgentSelfAsync(Ct)).Error,
        };

        Assert.All(errors, error => Assert.Equal(ConsulErrorKind.PermissionDenied, error?.Kind));
        Assert.All(errors, error => Assert.DoesNotContain(secret, error!.ToString(), StringComparison.Ordinal));
        Assert.NotEmpty(Logs.Lines);
        Assert.All(Logs.Lines, line => Assert.DoesNotContain(secret, line, StringComparison.Ordinal));
    }
}
