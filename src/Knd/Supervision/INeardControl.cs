using Knd.Neard;

namespace Knd.Supervision;

/// <summary>
/// What the planned-work coordinators may do to the local neard, without reaching into the
/// supervisor: read its RPC while it runs and set its <c>expected_shutdown</c>.
/// </summary>
internal interface INeardControl
{
    /// <summary>The running neard's RPC client, or null while no neard runs.</summary>
    INeardRpc? CurrentRpc { get; }

    /// <summary>The generation of the running neard (the machine's count of neard starts), or null while none runs.</summary>
    int? CurrentGeneration { get; }

    /// <summary>
    /// Writes <c>expected_shutdown</c> (null clears it) and signals neard to reload it, if the neard of
    /// <paramref name="generation"/> is the one running; the error, or null.
    /// </summary>
    Task<string?> SetExpectedShutdownAsync(long? height, int generation, CancellationToken cancellationToken);
}
