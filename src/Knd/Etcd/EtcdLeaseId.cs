using System.Globalization;

namespace Knd.Etcd;

/// <summary>
/// A lease is knd's session on etcd; its id, written as etcdctl prints it (16 lowercase hex digits),
/// is the session id the failover core sees.
/// </summary>
internal static class EtcdLeaseId
{
    public static string Format(long leaseId) => leaseId.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>Reads a session id back; false for anything that is not a lease id (0 is "no lease" in etcd).</summary>
    public static bool TryParse(string? sessionId, out long leaseId)
    {
        leaseId = 0;
        return sessionId is { Length: > 0 and <= 16 }
            && long.TryParse(sessionId, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out leaseId)
            && leaseId != 0;
    }
}
