using System.Reflection;

namespace Knd.Tests.Architecture;

/// <summary>The failover core (src/Knd.Failover) decides whether this node may sign; it must stay pure.</summary>
public sealed class FailoverCoreTests
{
    private static readonly Assembly Core = typeof(FailoverMachine).Assembly;

    [Fact]
    public void FailoverCore_ReferencesNothingButTheBcl()
    {
        var offending = Core.GetReferencedAssemblies()
            .Select(r => r.Name!)
            .Where(name => !IsPureBcl(name))
            .ToList();

        Assert.True(offending.Count == 0, $"Knd.Failover references {string.Join(", ", offending)}; the core does no I/O and knows no backend");
    }

    [Fact]
    public void FailoverCore_OwnsOneNamespace()
    {
        var foreign = Core.GetTypes()
            .Where(t => t.Namespace is { } ns && ns != "Knd.Failover" && !ns.StartsWith("System", StringComparison.Ordinal) && !ns.StartsWith("Microsoft", StringComparison.Ordinal))
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(foreign);
    }

    [Theory]
    [InlineData("System.Runtime", true)]
    [InlineData("System.Collections", true)]
    [InlineData("System.Linq", true)]
    [InlineData("Microsoft.Extensions.Logging.Abstractions", true)]
    [InlineData("System.Net.Http", false)]
    [InlineData("System.Diagnostics.Process", false)]
    [InlineData("System.Console", false)]
    [InlineData("knd", false)]
    [InlineData("Microsoft.AspNetCore.Http", false)]
    public void IsPureBcl_TellsTheCoreLibrariesFromIo(string name, bool pure) => Assert.Equal(pure, IsPureBcl(name));

    private static bool IsPureBcl(string name)
    {
        if (name.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal))
        {
            return name.EndsWith(".Abstractions", StringComparison.Ordinal);
        }

        if (!name.StartsWith("System", StringComparison.Ordinal) && name != "netstandard")
        {
            return false;
        }

        string[] io = ["System.Net", "System.Diagnostics.Process", "System.Console", "System.IO", "System.Private.Uri"];
        return !io.Any(prefix => name == prefix || name.StartsWith(prefix + ".", StringComparison.Ordinal));
    }
}
