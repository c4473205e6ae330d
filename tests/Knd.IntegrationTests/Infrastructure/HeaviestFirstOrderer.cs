using Knd.IntegrationTests.Deploy;
using Xunit.Abstractions;

[assembly: TestCollectionOrderer("Knd.IntegrationTests.Infrastructure.HeaviestFirstOrderer", "Knd.IntegrationTests")]

namespace Knd.IntegrationTests.Infrastructure;

/// <summary>
/// Starts the long collections first. xUnit runs two collections at a time on a 2-core runner, in
/// this order; with its default order one cluster collection started at minute 6 and ran alone at the
/// end, which put the suite over its 20-minute budget. The release tests come last of all, and their
/// NativeAOT build starts here, in the background, when the run includes them. The localnet collection
/// (not parallel) runs after all of these whatever its place here.
/// </summary>
public sealed class HeaviestFirstOrderer : ITestCollectionOrderer
{
    /// <summary>Longest first: the cluster collections take about 7, 6 and 3.5 minutes (FailoverCollection).</summary>
    private static readonly string[] Heaviest = ["failover", "failover-2", "failover-3"];

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections)
    {
        var collections = testCollections.ToList();
        var release = collections.Any(c => c.DisplayName == ReleaseCollection.Name);
        if (release)
        {
            ReleaseBuild.StartEarly();
        }

        return collections
            .OrderBy(c => c.DisplayName == ReleaseCollection.Name)
            .ThenBy(c => Array.IndexOf(Heaviest, c.DisplayName) is var i and >= 0 ? i : Heaviest.Length)
            .ThenBy(c => c.DisplayName, StringComparer.Ordinal);
    }
}
