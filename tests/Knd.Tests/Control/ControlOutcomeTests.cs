using Knd.Control;

namespace Knd.Tests.Control;

/// <summary>
/// What <see cref="ControlOutcome{T}"/> promises the flow analysis. These tests use no <c>!</c>: with
/// warnings as errors they compile only while the attributes are there, and they fail if the runtime
/// answers stop matching what the attributes claim.
/// </summary>
public sealed class ControlOutcomeTests
{
    [Fact]
    public void Refused_IsNotOk_AndCarriesItsReason()
    {
        var outcome = ControlOutcome<SwitchoverStatus>.Refused("no node holds the lock");

        Assert.False(outcome.Ok);
        if (!outcome.Ok)
        {
            Assert.Equal(22, outcome.Error.Length);
        }

        Assert.Equal(ControlFailure.Refused, outcome.Failure);
        Assert.False(outcome.TryGetValue(out _));
        Assert.Null(outcome.Value);
    }

    [Fact]
    public void Unavailable_IsNotOk_AndSaysSo()
    {
        var outcome = ControlOutcome<bool>.Unavailable("Consul does not answer");

        Assert.False(outcome.Ok);
        Assert.Equal(ControlFailure.Unavailable, outcome.Failure);
        Assert.False(outcome.TryGetValue(out _));
        Assert.False(outcome.Value);
    }

    [Fact]
    public void Success_HandsOutItsValueNonNull()
    {
        var outcome = ControlOutcome<string>.Success("node-b");

        Assert.True(outcome.Ok);
        Assert.Null(outcome.Error);
        Assert.Equal(ControlFailure.None, outcome.Failure);
        Assert.True(outcome.TryGetValue(out var removed));
        Assert.Equal(6, removed.Length);
    }

    [Fact]
    public void Success_NoActiveValidator_IsOkWithoutValue()
    {
        var outcome = ControlOutcome<ActiveValidatorInfo?>.Success(null);

        Assert.True(outcome.Ok);
        Assert.True(outcome.TryGetValue(out var active));
        Assert.Null(active);
    }

    [Fact]
    public void As_CarriesTheFailureOver()
    {
        var outcome = ControlOutcome<bool>.Unavailable("Consul does not answer").As<string>();

        Assert.False(outcome.TryGetValue(out _));
        Assert.Equal("Consul does not answer", outcome.Error);
        Assert.Equal(ControlFailure.Unavailable, outcome.Failure);
    }
}
