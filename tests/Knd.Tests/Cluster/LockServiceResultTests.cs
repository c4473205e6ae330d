using Knd.Cluster;
using Knd.Etcd;

namespace Knd.Tests.Cluster;

/// <summary>
/// What <see cref="LockServiceResult{T}"/> promises the flow analysis. These tests use no <c>!</c>:
/// with warnings as errors they compile only while the attributes are there, and they fail if the
/// runtime answers stop matching what the attributes claim.
/// </summary>
public sealed class LockServiceResultTests
{
    private static readonly LockServiceError Unavailable = new(LockServiceFailure.Unavailable, "No cluster leader");

    [Fact]
    public void Fail_IsNotSuccess_AndCarriesItsError()
    {
        var result = LockServiceResult<LockHolding?>.Fail(Unavailable);

        Assert.False(result.IsSuccess);
        if (!result.IsSuccess)
        {
            Assert.Equal(LockServiceFailure.Unavailable, result.Error.Kind);
        }

        Assert.False(result.TryGetValue(out _, out var error));
        Assert.Same(Unavailable, error);
        Assert.Null(result.Value);
    }

    [Fact]
    public void AnError_ConvertsToAFailure()
    {
        LockServiceResult<string> result = Unavailable;

        Assert.False(result.TryGetValue(out _, out var error));
        Assert.Same(Unavailable, error);
    }

    [Fact]
    public void Ok_WithNonNullableValue_HandsItOutNonNull()
    {
        var result = LockServiceResult<string>.Ok("token");

        Assert.True(result.IsSuccess);
        Assert.True(result.TryGetValue(out var value, out var error));
        Assert.Equal(5, value.Length);
        Assert.Null(error);
    }

    [Fact]
    public void Ok_AMissingEtcdKey_IsASuccessWithoutValue()
    {
        var result = LockServiceResult<EtcdKv?>.Ok(null);

        Assert.True(result.TryGetValue(out var kv, out var error));
        Assert.Null(kv);
        Assert.Null(error);
    }

    [Fact]
    public void Ok_NobodyHoldsTheLock_IsASuccessWithoutValue()
    {
        var result = LockServiceResult<LockHolding?>.Ok(null);

        Assert.True(result.IsSuccess);
        Assert.True(result.TryGetValue(out var holding, out var error));
        Assert.Null(holding);
        Assert.Null(error);
    }

    [Fact]
    public void Ok_WithAHolder_HandsItOut()
    {
        var result = LockServiceResult<LockHolding?>.Ok(new LockHolding("session-1", null, "node-a", null));

        Assert.True(result.TryGetValue(out var holding, out _));
        Assert.Equal("session-1", holding?.SessionId);
    }

    [Fact]
    public void Fail_OfAValueType_AnswersDefaultForValue()
    {
        // PutAsync and DeleteAsync answer bool: a failure is not a "false" written, but Value still reads false.
        var result = LockServiceResult<bool>.Fail(Unavailable);

        Assert.False(result.Value);
        Assert.False(result.TryGetValue(out _, out _));
    }
}
