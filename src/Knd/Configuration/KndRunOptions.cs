using System.Net;
using Knd.Logging;

namespace Knd.Configuration;

/// <summary>
/// The validated settings of <c>knd run</c> (contract §2). Built once at start by
/// the run-options parser; every value here has already passed validation.
/// </summary>
internal sealed class KndRunOptions
{
    public required string NodeId { get; init; }

    public required string AccountId { get; init; }

    public required Uri ConsulUrl { get; init; }

    public string? ConsulTokenFile { get; init; }

    public required string LockKeyPrefix { get; init; }

    /// <summary>Host and port for the HTTP endpoints. Port 0 lets the kernel pick one (tests).</summary>
    public required IPEndPoint ExporterAddress { get; init; }

    public required string ControlSocket { get; init; }

    /// <summary>The node binary: an absolute path, or a name resolved on PATH at start.</summary>
    public required string NeardBin { get; init; }

    public required string NeardHome { get; init; }

    public required string ValidatorKey { get; init; }

    public required string ValidatorNodeKey { get; init; }

    public required string VoterNodeKey { get; init; }

    public required IPEndPoint ValidatorNetworkAddr { get; init; }

    public required IPEndPoint VoterNetworkAddr { get; init; }

    public required IReadOnlyList<IPAddress> PublicAddresses { get; init; }

    public string? NeardBootnodes { get; init; }

    public required PromotionMode Promotion { get; init; }

    public string? LogDir { get; init; }

    public LogFormat LogFormat { get; init; } = LogFormat.Text;

    /// <summary>Notes about accepted but risky values, already printed on stderr at start; for the daemon's log.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The Consul key this validator's leader holds.</summary>
    public string LockKey => LockKeyPrefix + AccountId;
}
