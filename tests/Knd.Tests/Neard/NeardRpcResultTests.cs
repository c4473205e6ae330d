using Knd.Neard;

namespace Knd.Tests.Neard;

/// <summary>
/// What <see cref="NeardRpcResult{T}"/> promises the flow analysis. These tests use no <c>!</c>: with
/// warnings as errors they compile only while the attributes are there, and they fail if the runtime
/// answers stop matching what the attributes claim. No neard call answers a null success.
/// </summary>
public sealed class NeardRpcResultTests
{
    private static readonly NeardRpcError NotReady = new(NeardRpcErrorKind.NotReady, "neard is not ready (503)", 503);

    [Fact]
    public void Fail_IsNotSuccess_AndCarriesItsError()
    {
        NeardRpcResult<NeardBlock> result = NotReady;

        Assert.False(result.IsSuccess);
        if (!result.IsSuccess)
        {
            Assert.Equal(NeardRpcErrorKind.NotReady, result.Error.Kind);
        }

        Assert.False(result.TryGetValue(out _, out var error));
        Assert.Same(NotReady, error);
        Assert.Null(result.Value);
    }

    [Fact]
    public void Ok_HandsOutItsValueNonNull()
    {
        var result = NeardRpcResult<NeardBlock>.Ok(new NeardBlock(42, "validator.near", 0));

        Assert.True(result.IsSuccess);
        Assert.True(result.TryGetValue(out var block, out var error));
        Assert.Equal("validator.near", block.Author);
        Assert.Null(error);
    }

    [Fact]
    public void Fail_OfAValueType_AnswersDefaultForValue()
    {
        var result = NeardRpcResult<long>.Fail(NotReady);

        Assert.Equal(0, result.Value);
        Assert.False(result.TryGetValue(out _, out _));
    }
}
