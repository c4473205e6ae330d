using Knd.Commands;

namespace Knd.Tests.Commands;

/// <summary>Tables are coloured for a person at a terminal, plain for pipes, NO_COLOR and dumb terminals.</summary>
public sealed class TextTableColourTests
{
    [Theory]
    [InlineData(false, null, "xterm-256color", true)]
    [InlineData(true, null, "xterm-256color", false)]
    [InlineData(false, "1", "xterm-256color", false)]
    [InlineData(false, "", "xterm-256color", true)]
    [InlineData(false, null, "dumb", false)]
    public void ShouldColour_OnlyOnATerminal_WithoutNoColor(bool redirected, string? noColor, string term, bool expected)
    {
        string? Environment(string name) => name switch { "NO_COLOR" => noColor, "TERM" => term, _ => null };

        Assert.Equal(expected, TextTable.ShouldColour(redirected, Environment));
    }

    [Fact]
    public async Task Plain_HasNoEscapes_Coloured_BoldsKeysAndDimsEmptyValues()
    {
        var table = new TextTable().Add("node", "node-1").Add("leader", (string?)null);
        using var plain = new StringWriter();
        using var coloured = new StringWriter();

        await table.WriteAsync(plain, colour: false);
        await table.WriteAsync(coloured, colour: true);

        Assert.Equal("node    node-1\nleader  -\n", plain.ToString().ReplaceLineEndings("\n"));
        Assert.DoesNotContain('\u001b', plain.ToString());
        Assert.Contains("\u001b[1mnode  \u001b[0m  node-1", coloured.ToString(), StringComparison.Ordinal);
        Assert.Contains("\u001b[2m-\u001b[0m", coloured.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWriterThatIsNotTheConsole_IsPlain()
    {
        using var writer = new StringWriter();

        await new TextTable().Add("state", "Voting").WriteAsync(writer);

        Assert.DoesNotContain('\u001b', writer.ToString());
    }
}
