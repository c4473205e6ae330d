using System.Net;
using Knd.Configuration;

namespace Knd.Tests.Configuration;

public sealed class EndpointParserTests
{
    [Theory]
    [InlineData("127.0.0.1:2233", "127.0.0.1", 2233)]
    [InlineData("0.0.0.0:24567", "0.0.0.0", 24567)]
    [InlineData("[::1]:8080", "::1", 8080)]
    [InlineData("[::]:0", "::", 0)]
    [InlineData("10.1.2.3:0", "10.1.2.3", 0)]
    public void TryParseEndpoint_IpAndPort_ReturnsEndpoint(string text, string address, int port)
    {
        Assert.True(EndpointParser.TryParseEndpoint(text, allowPortZero: true, out var endpoint, out var problem), problem);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), endpoint);
    }

    [Theory]
    [InlineData("localhost:2233", "is a host name")]
    [InlineData("127.0.0.1", "missing :PORT")]
    [InlineData("1.2.3.4:99999", "port \"99999\" is not a number from 0 to 65535")]
    [InlineData("1.2.3.4:", "port \"\" is not a number")]
    [InlineData("1.2.3.4:-1", "is not a number")]
    [InlineData("::1:80", "needs brackets")]
    [InlineData("[::1]80", "expected [IPv6]:PORT")]
    [InlineData("1.2.3:80", "\"1.2.3\" is not an IP address")]
    [InlineData("256.1.1.1:80", "is not an IP address")]
    [InlineData(":80", "the IP address is missing")]
    public void TryParseEndpoint_Bad_SaysBadListenAddress(string text, string expected)
    {
        Assert.False(EndpointParser.TryParseEndpoint(text, allowPortZero: true, out _, out var problem));
        Assert.StartsWith("bad listen address", problem, StringComparison.Ordinal);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParseEndpoint_PortZeroWhereNotAllowed_IsRefused()
    {
        Assert.False(EndpointParser.TryParseEndpoint("0.0.0.0:0", allowPortZero: false, out _, out var problem));
        Assert.Contains("port 0 is not allowed", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.2.3.4")]
    [InlineData("2001:db8::1")]
    [InlineData("[2001:db8::1]")]
    public void TryParseAddress_Ip_ReturnsAddress(string text)
    {
        Assert.True(EndpointParser.TryParseAddress(text, out var address, out var problem), problem);
        Assert.Equal(IPAddress.Parse(text.Trim('[', ']')), address);
    }
}
