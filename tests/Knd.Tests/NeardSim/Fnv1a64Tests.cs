using NeardSim.Chain;

namespace Knd.Tests.NeardSim;

public sealed class Fnv1a64Tests
{
    [Theory]
    [InlineData("", 0xcbf29ce484222325UL)]
    [InlineData("a", 0xaf63dc4c8601ec8cUL)]
    [InlineData("foobar", 0x85944171f73967e8UL)]
    public void Hash_KnownVectors_Match(string input, ulong expected) => Assert.Equal(expected, Fnv1a64.Hash(input));

    [Fact]
    public void Hash_NonAsciiText_HashesItsUtf8Bytes() =>
        Assert.Equal(Fnv1a64.Hash("é"u8), Fnv1a64.Hash("é"));
}
