using Knd.Configuration;

namespace Knd.Commands;

/// <summary>
/// Where the control commands find the daemon: <c>--control-socket</c>, else
/// <c>KND_CONTROL_SOCKET</c>, else <c>KUUTAMO_CONTROL_SOCKET</c>, else <c>knd.sock</c> in
/// <c>KND_NEARD_HOME</c> or <c>KUUTAMO_NEARD_HOME</c>: the same defaults as <c>knd run</c>, so a
/// shell with the daemon's environment needs no flag.
/// </summary>
internal static class ControlSocketPath
{
    internal const string PackagedSocket = "/var/lib/neard/knd.sock";

    public static string? Resolve(string? flag, Func<string, string?> environment, out string? error)
    {
        error = null;
        if (flag is not null)
        {
            if (flag.Length == 0)
            {
                error = "--control-socket: the path is empty";
                return null;
            }

            return Path.GetFullPath(flag);
        }

        foreach (var name in new[] { "KND_CONTROL_SOCKET", "KUUTAMO_CONTROL_SOCKET" })
        {
            if (environment(name) is { Length: > 0 } value)
            {
                return Path.GetFullPath(value);
            }
        }

        foreach (var name in new[] { "KND_NEARD_HOME", "KUUTAMO_NEARD_HOME" })
        {
            if (environment(name) is { Length: > 0 } home)
            {
                return Path.GetFullPath(Path.Combine(home, RunOptionDefaults.ControlSocketFileName));
            }
        }

        // The shipped systemd unit's home (deploy/systemd/knd.service), so `sudo -u neard knd status` just works.
        if (File.Exists(PackagedSocket))
        {
            return PackagedSocket;
        }

        error = "no control socket given: pass --control-socket PATH, or set KND_CONTROL_SOCKET or KND_NEARD_HOME";
        return null;
    }
}
