namespace NeardSim.Hosting;

/// <summary>
/// Replaces the console lifetime so the host does not take SIGTERM/SIGINT: the sim decides
/// itself when to stop (sim.ignore_sigterm_ms).
/// </summary>
internal sealed class PassiveLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
