using System.Net;

namespace Knd.Neard;

/// <summary>What a standby that may be promoted by hot swap needs in its home before neard starts: the validator's account to shadow-track and the public IPs to advertise once it validates.</summary>
internal sealed record HotSwapStandby(string AccountId, IReadOnlyList<IPAddress> PublicAddresses);
