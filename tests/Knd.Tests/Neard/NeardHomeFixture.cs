using Knd.Neard;
using Microsoft.Extensions.Logging.Abstractions;

namespace Knd.Tests.Neard;

/// <summary>A neard home with the test config and a credentials directory holding the three keys, for the home-preparation tests.</summary>
public abstract class NeardHomeFixture : IDisposable
{
    protected NeardHomeFixture()
    {
        File.WriteAllText(Home.File("config.json"), NeardTestData.Config);
        File.WriteAllText(Credentials.File("validator_key.json"), NeardTestData.ValidatorKey);
        File.WriteAllText(Credentials.File("validator_node_key.json"), NeardTestData.ValidatorNodeKey);
        File.WriteAllText(Credentials.File("voter_node_key.json"), NeardTestData.VoterNodeKey);
        NeardHome = new NeardHome(Home.Path, NullLogger.Instance);
    }

    internal TempDirectory Home { get; } = new();

    internal TempDirectory Credentials { get; } = new();

    internal NeardHome NeardHome { get; }

    public void Dispose()
    {
        Home.Dispose();
        Credentials.Dispose();
        GC.SuppressFinalize(this);
    }
}
