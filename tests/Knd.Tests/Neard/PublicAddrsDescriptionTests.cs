using Knd.Neard;

namespace Knd.Tests.Neard;

/// <summary>The "prepared as validator" log line says what public_addrs is, even when it is empty.</summary>
public sealed class PublicAddrsDescriptionTests
{
    [Fact]
    public void Empty_IsSaidInWords_NamingTheOption() =>
        Assert.Equal("none (no --public-address: as a validator, neard learns its address from its STUN servers)", NeardHome.DescribePublicAddrs([]));

    [Fact]
    public void Several_AreListedCommaSeparated() =>
        Assert.Equal("ed25519:K@203.0.113.7:24567,ed25519:K@[2001:db8::7]:24567", NeardHome.DescribePublicAddrs(["ed25519:K@203.0.113.7:24567", "ed25519:K@[2001:db8::7]:24567"]));
}
