using Knd.Etcd;

namespace Knd.Tests.Etcd;

/// <summary>
/// What <see cref="EtcdResult{T}"/> promises the flow analysis. These tests use no <c>!</c>: with
/// warnings as errors they compile only while the attributes are there, and they fail if the runtime
/// answers stop matching what the attributes claim.
/// </summary>
public sealed class EtcdResultTests
{
    private static readonly LockServiceError Unreachable = new(LockServiceFailure.Unreachable, "etcd lease grant: connection refused");

    [Fact]
    public void Fail_IsNotSuccess_AndCarriesItsError()
    {
        EtcdResult<string> result = Unreachable;

        Assert.False(result.IsSuccess);
        if (!result.IsSuccess)
        {
            Assert.Equal(LockServiceFailure.Unreachable, result.Error.Kind);
        }

        Assert.False(result.TryGetValue(out _, out var error));
        Assert.Same(Unreachable, error);
        Assert.Null(result.Value);
    }

    [Fact]
    public void Ok_WithNonNullableValue_HandsItOutNonNull()
    {
        var result = EtcdResult<string>.Ok("token");

        Assert.True(result.IsSuccess);
        Assert.True(result.TryGetValue(out var value, out var error));
        Assert.Equal(5, value.Length);
        Assert.Null(error);
    }

    [Fact]
    public void Ok_WithNullWhereTIsNullable_IsASuccessWithoutValue()
    {
        // A read of a key that does not exist.
        var result = EtcdResult<EtcdKv?>.Ok(null);

        Assert.True(result.IsSuccess);
        Assert.True(result.TryGetValue(out var kv, out var error));
        Assert.Null(kv);
        Assert.Null(error);
    }

    [Fact]
    public void Fail_OfAValueType_AnswersDefaultForValue()
    {
        var result = EtcdResult<bool>.Fail(Unreachable);

        Assert.False(result.Value);
        Assert.False(result.TryGetValue(out _, out _));
    }
}
