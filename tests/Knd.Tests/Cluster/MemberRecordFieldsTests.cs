using Knd.Cluster;

namespace Knd.Tests.Cluster;

/// <summary>The member record's renewal time: written as RFC 3339 UTC, read only in that form.</summary>
public sealed class MemberRecordFieldsTests
{
    [Fact]
    public void FormatTime_IsRfc3339InUtcWithMilliseconds() =>
        Assert.Equal("2026-11-21T10:00:01.250Z", MemberRecordFields.FormatTime(new DateTimeOffset(2026, 11, 21, 12, 0, 1, 250, TimeSpan.FromHours(2))));

    [Theory]
    [InlineData("2026-11-21T10:00:01.250Z")]
    [InlineData("2026-11-21T12:00:01.25+02:00")]
    [InlineData("2026-11-21t10:00:01.250000000z")]
    public void ParseTime_TakesRfc3339_WithAnyOffsetOrFraction(string text) =>
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 1, 250, TimeSpan.Zero), MemberRecordFields.ParseTime(text));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("11/21/2026 10:00:01")]
    [InlineData("2026-11-21")]
    [InlineData("2026-11-21T10:00:01")]
    [InlineData("2026-13-21T10:00:01Z")]
    [InlineData("2026-11-21T10:00:01Z trailing")]
    [InlineData("1732183201")]
    public void ParseTime_AnythingElse_IsNull(string? text) =>
        Assert.Null(MemberRecordFields.ParseTime(text));
}
