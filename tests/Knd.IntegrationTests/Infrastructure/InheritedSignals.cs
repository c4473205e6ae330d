using System.Globalization;

namespace Knd.IntegrationTests.Infrastructure;

/// <summary>
/// What the processes a test starts inherit: a shell without job control ignores SIGINT and SIGQUIT
/// in what it starts with <c>&amp;</c>, and .NET keeps an inherited "ignore" for those two, so a test
/// that sends them would wait for an exit that cannot come.
/// </summary>
public static class InheritedSignals
{
    /// <summary>Null when <paramref name="signal"/> reaches the children, else why not, for the assertion.</summary>
    public static string? Problem(int signal, string name)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        var mask = ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return (mask & (1UL << (signal - 1))) == 0
            ? null
            : $"{name} is ignored in the test process and every child inherits that: run the tests in the foreground or with setsid -f, not with & from a script";
    }
}
