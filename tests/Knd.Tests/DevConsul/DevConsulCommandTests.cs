using System.Net;
using Knd.Commands;
using Knd.DevConsul;

namespace Knd.Tests.DevConsul;

public sealed class DevConsulCommandTests
{
    [Theory]
    [InlineData("--listen", "nonsense")]
    [InlineData("--listen", "127.0.0.1")]
    [InlineData("--listen", "127.0.0.1:70000")]
    [InlineData("--listen", "example.com:8500")]
    [InlineData("--session-ttl-min", "10")]
    [InlineData("--session-ttl-min", "0s")]
    [InlineData("--node-name", " ")]
    [InlineData("--no-such-option", "x")]
    public async Task BadOption_ExitsWithUsageCode(string option, string value)
    {
        var code = await KndCli.RunAsync(["dev-consul", option, value]);

        Assert.Equal(ExitCodes.Usage, code);
    }

    [Theory]
    [InlineData("127.0.0.1:8500", "127.0.0.1", 8500)]
    [InlineData("localhost:0", "127.0.0.1", 0)]
    [InlineData("[::1]:8500", "::1", 8500)]
    [InlineData("0.0.0.0:1234", "0.0.0.0", 1234)]
    public void ListenAddress_ParsesHostAndPort(string text, string address, int port)
    {
        Assert.True(ListenAddress.TryParse(text, out var endPoint, out var error), error);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), endPoint);
    }
}
