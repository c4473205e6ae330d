using System.Diagnostics;
using System.Text;
using Knd.Neard;
using Knd.Tests.Infrastructure;

namespace Knd.Tests.Neard;

public sealed class NeardOutputPipeTests
{
    [Fact]
    public async Task CopyFrom_Lines_AreLoggedOneEventEach_WithStreamAndCategory()
    {
        var lines = await PipeAsync("first line\r\nsecond line\nunterminated");

        Assert.Equal(
            ["Information neard[2040] stderr: first line", "Information neard[2040] stderr: second line", "Information neard[2040] stderr: unterminated"],
            lines.Select(l => l[..l.IndexOf(" |", StringComparison.Ordinal)]));
    }

    [Fact]
    public async Task CopyFrom_LineWithoutNewlines_IsSplitAtTheCap_SoMemoryStaysBounded()
    {
        var lines = await PipeAsync(new string('x', (NeardOutputPipe.MaxLineChars * 2) + 5));

        Assert.Equal(3, lines.Count);
        Assert.Contains($"Line={new string('x', NeardOutputPipe.MaxLineChars)} ", lines[0], StringComparison.Ordinal);
        Assert.Contains("Line=xxxxx ", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task CopyFrom_EmptyLines_AreKept()
    {
        var lines = await PipeAsync("a\n\nb\n");

        Assert.Equal(3, lines.Count);
    }

    [Theory]
    [InlineData(-20, ProcessPriorityClass.RealTime)]
    [InlineData(-19, ProcessPriorityClass.RealTime)]
    [InlineData(-12, ProcessPriorityClass.High)]
    [InlineData(-3, ProcessPriorityClass.Normal)]
    [InlineData(0, ProcessPriorityClass.Normal)]
    [InlineData(1, ProcessPriorityClass.BelowNormal)]
    [InlineData(10, ProcessPriorityClass.BelowNormal)]
    [InlineData(11, ProcessPriorityClass.Idle)]
    [InlineData(19, ProcessPriorityClass.Idle)]
    public void ChildPriority_NeverAsksForLessNicenessThanKndHas(int niceness, ProcessPriorityClass expected)
    {
        Assert.Equal(expected, ChildPriority.For(niceness));
    }

    [Fact]
    public void ChildPriority_OwnNiceness_ReadsThisProcess()
    {
        Assert.InRange(ChildPriority.OwnNiceness(), -20, 19);
    }

    private static async Task<IReadOnlyList<string>> PipeAsync(string text)
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        var pipe = new NeardOutputPipe(factory.CreateLogger(NeardOutput.Category), "stderr");

        await pipe.CopyFromAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), CancellationToken.None);

        return logs.Lines;
    }
}
