using Knd.Interop;

namespace Knd.Tests.Interop;

public sealed class SignalDispositionTests
{
    [Theory]
    [InlineData("0000000000000001", 1, true)]
    [InlineData("0000000000000001", 15, false)]
    [InlineData("0000000000004000", 15, true)]
    [InlineData("0000000000000000", 1, false)]
    public void IsIgnored_ReadsTheSigIgnMask(string mask, int signal, bool ignored)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, $"Name:\tknd\nSigBlk:\t0000000000000000\nSigIgn:\t{mask}\nSigCgt:\t0000000000000000\n");
            Assert.Equal(ignored, SignalDisposition.IsIgnored(signal, path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void IsIgnored_ThisTestProcess_DoesNotIgnoreSigterm() =>
        Assert.False(SignalDisposition.IsIgnored(15));
}
