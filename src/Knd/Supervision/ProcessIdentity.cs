using System.Security.Cryptography;
using Knd.Cluster;

namespace Knd.Supervision;

/// <summary>
/// What places a pid: the kernel boot and the pid namespace it lives in, plus a random id for this
/// knd process. Written into the lock value, so that the stale-leader reaper acts only on a value
/// that the same kernel boot and the same pid namespace wrote: a pid seen from another container or
/// another boot says nothing about the process in this one, however the host names compare.
/// </summary>
internal sealed record ProcessIdentity(string? BootId, string? PidNamespace, string InstanceId)
{
    private static readonly Lazy<ProcessIdentity> LazyCurrent = new(() => Read("/proc"));

    /// <summary>This process's identity (read once).</summary>
    public static ProcessIdentity Current => LazyCurrent.Value;

    /// <summary>Whether this identity is known well enough to compare: boot id and pid namespace both read.</summary>
    public bool IsComplete => BootId is not null && PidNamespace is not null;

    /// <summary>Reads the identity from <paramref name="procRoot"/>; a part that cannot be read is null.</summary>
    public static ProcessIdentity Read(string procRoot) => new(
        ReadBootId(Path.Combine(procRoot, "sys", "kernel", "random", "boot_id")),
        ReadLink(Path.Combine(procRoot, "self", "ns", "pid")),
        Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));

    /// <summary>The same boot and pid namespace as <paramref name="value"/>'s writer; false when either side lacks them.</summary>
    public bool SharesPidSpaceWith(LockValue value) =>
        IsComplete && value.BootId == BootId && value.PidNamespace == PidNamespace;

    /// <summary><paramref name="value"/> with this identity's fields filled in.</summary>
    public LockValue Stamp(LockValue value) => value with { BootId = BootId, PidNamespace = PidNamespace, InstanceId = InstanceId };

    private static string? ReadBootId(string path)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            return text.Length > 0 ? text : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? ReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
