using Knd.Consul;

namespace Knd.Tests.Consul;

/// <summary>
/// What <see cref="ConsulResult{T}"/> promises the flow analysis. These tests use no <c>!</c>: with
/// warnings as errors they compile only while the attributes are there, and they fail if the runtime
/// answers stop matching what the attributes claim.
/// </summary>
public sealed class ConsulResultTests
{
    private static readonly ConsulError Refused = new(ConsulErrorKind.PermissionDenied, 403, "ACL not found");

    [Fact]
    public void Fail_IsNotSuccess_AndCarriesItsError()
    {
        ConsulResult<string> result = Refused;

        Assert.False(result.IsSuccess);
        if (!result.IsSuccess)
        {
            Assert.Equal(ConsulErrorKind.PermissionDenied, result.Error.Kind);
        }

        Assert.False(result.TryGetValue(out _, out var error));
        Assert.Same(Refused, error);
        Assert.Null(result.Value);
    }

    [Fact]
    public void Ok_WithNonNullableValue_HandsItOutNonNull()
    {
        var result = ConsulResult<string>.Ok("session-1");

        Assert.True(result.IsSuccess);
        Assert.Null(result.Error);
        Assert.True(result.TryGetValue(out var value, out var error));
        Assert.Equal(9, value.Length);
        Assert.Null(error);
    }

    [Fact]
    public void Ok_WithNullWhereTIsNullable_IsASuccessWithoutValue()
    {
        // GET /v1/session/info of a session that does not exist: a normal answer, not a failure.
        var result = ConsulResult<SessionEntry?>.Ok(null);

        Assert.True(result.IsSuccess);
        Assert.True(result.TryGetValue(out var entry, out var error));
        Assert.Null(entry);
        Assert.Null(error);
    }

    [Fact]
    public void Fail_OfAValueType_AnswersDefaultForValue()
    {
        var result = ConsulResult<bool>.Fail(Refused);

        Assert.False(result.Value);
        Assert.False(result.TryGetValue(out _, out _));
    }
}
