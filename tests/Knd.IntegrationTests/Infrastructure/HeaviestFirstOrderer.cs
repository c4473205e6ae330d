using Xunit.Abstractions;

[assembly: TestCollectionOrderer("Knd.IntegrationTests.Infrastructure.HeaviestFirstOrderer", "Knd.IntegrationTests")]

namespace Knd.IntegrationTests.Infrastructure;

/// <summary>
/// Starts the long collections first. xUnit runs two collections at a time on a 2-core runner, in
/// this order; with its default order one cluster collection started at minute 6 and ran alone at the
/// end, which put the suite over its 20-minute budget. The localnet collection (not parallel) runs
/// after all of these whatever its place here.
/// </summary>
public sealed class HeaviestFirstOrderer : ITestCollectionOrderer
{
    /// <summary>Longest first: each of the cluster thirds takes about five minutes, the release build three.</summary>
    private static readonly string[] Heaviest = ["failover", "failover-2", "failover-3", "release build"];

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderBy(c => Array.IndexOf(Heaviest, c.DisplayName) is var i and >= 0 ? i : Heaviest.Length)
            .ThenBy(c => c.DisplayName, StringComparer.Ordinal);
}
