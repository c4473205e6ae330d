using Knd.Configuration;
using Knd.Consul;
using Knd.Neard;
using Knd.Cluster;

namespace Knd.Supervision;

/// <summary>
/// At start, frees a lock still held by this node's previous knd process (crashed, killed, or
/// restarted by the service manager). Without this the cluster waits up to 2 x TTL + lock-delay for
/// Consul to expire that session although its knd, and so its neard, is already gone.
/// <para>
/// It acts only when the lock value names this node id and this host name, was written in this
/// kernel boot and this pid namespace (<see cref="ProcessIdentity"/>: a pid is only meaningful
/// there, and two containers can share a host name and a node id), and its pid no longer runs. A
/// value without boot id or pid namespace (kuutamod's, an older knd's) is left to expire, as is one
/// when this process cannot read its own. It first kills any neard left on this home, and only then
/// destroys the session (a destroy applies the lock-delay, so no other host can acquire in the same
/// instant either).
/// </para>
/// </summary>
internal sealed class StaleLeaderReaper
{
    private readonly KndRunOptions _options;
    private readonly FailoverTimings _timings;
    private readonly IConsulClient _consul;
    private readonly StrayNeardReaper _strays;
    private readonly ILogger _logger;
    private readonly string _procRoot;
    private readonly ProcessIdentity _identity;

    /// <summary>
    /// <paramref name="procRoot"/> is where /proc is (tests give a fake one): for the old pid's stat,
    /// and for this process's identity unless <paramref name="identity"/> is given.
    /// </summary>
    public StaleLeaderReaper(KndRunOptions options, FailoverTimings timings, IConsulClient consul, StrayNeardReaper strays, ILogger logger, string procRoot = "/proc", ProcessIdentity? identity = null)
    {
        _identity = identity ?? (procRoot == "/proc" ? ProcessIdentity.Current : ProcessIdentity.Read(procRoot));
        _options = options;
        _timings = timings;
        _consul = consul;
        _strays = strays;
        _logger = logger;
        _procRoot = procRoot;
    }

    /// <summary>Returns the destroyed session id, or null when there was nothing to free (or Consul could not be asked).</summary>
    public async Task<string?> ReapAsync(CancellationToken cancellationToken)
    {
        var read = await _consul.GetKeyAsync(_options.LockKey, KvQuery.ConsistentRead, cancellationToken);
        if (read.Value?.Entry is not { Session: { } session } entry || LockValue.TryParse(entry.Value) is not { } value)
        {
            return null;
        }

        // Pid 0: a value knd did not write (kuutamod writes no pid); leave such a session to expire.
        if (value.NodeId != _options.NodeId || value.Hostname != Environment.MachineName || value.Pid <= 0
            || value.Pid == Environment.ProcessId || value.InstanceId == _identity.InstanceId)
        {
            return null;
        }

        if (!_identity.SharesPidSpaceWith(value))
        {
            // Another boot, another container, or a writer that did not say: its pid means nothing in /proc here.
            _logger.StaleLeaderOtherPidSpace(session, value.Pid, value.BootId ?? "none", value.PidNamespace ?? "none");
            return null;
        }

        if (IsAlive(value.Pid))
        {
            _logger.OtherKndHoldsOurLock(value.Pid, _options.NodeId);
            return null;
        }

        var strays = _strays.Find(_options.NeardBin, _options.NeardHome, new HashSet<int>());
        if (strays.Count > 0)
        {
            await _strays.KillAsync(strays, _timings.NeardKillConfirmTimeout, cancellationToken);
            if (_strays.Find(_options.NeardBin, _options.NeardHome, new HashSet<int>()).Count > 0)
            {
                // A neard we could not confirm dead may still sign: leave the session to expire.
                return null;
            }
        }

        var destroyed = await _consul.DestroySessionAsync(session, cancellationToken);
        if (!destroyed.IsSuccess)
        {
            return null;
        }

        _logger.StaleLeaderSessionDestroyed(session, value.Pid);
        return session;
    }

    /// <summary>
    /// Any live process with that pid counts: it may be a knd started another way (e.g. through
    /// <c>dotnet</c>). A reused pid only means the session is left to expire, as without the reaper.
    /// </summary>
    private bool IsAlive(int pid)
    {
        try
        {
            var status = Path.Combine(_procRoot, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "stat");
            if (!File.Exists(status))
            {
                return false;
            }

            // "pid (comm) state ...": a zombie is dead for our purpose.
            var stat = File.ReadAllText(status);
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z";
        }
        catch (IOException)
        {
            return false;
        }
    }

}
