using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Knd.Localnet;

namespace Knd.Tests.Localnet;

public sealed class FixedPortsTests
{
    [Fact]
    public void Next_GivesDistinctPortsBelowTheKernelsEphemeralRange_ThatCanBeBound()
    {
        var low = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
        var ports = Enumerable.Range(0, 50).Select(_ => FixedPorts.Next()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        if (FixedPorts.Below(low) is not null)
        {
            Assert.All(ports, p => Assert.InRange(p, FixedPorts.Floor, low - 1));
        }

        using var listener = new TcpListener(IPAddress.Loopback, ports[^1]);
        listener.Start();
    }

    [Fact]
    public void Next_SkipsAPortSomeoneHolds()
    {
        // The walk is sequential: hold the port it would give next.
        var taken = FixedPorts.Next() + 1;
        using var holder = new TcpListener(IPAddress.Loopback, taken);
        holder.Start();

        var port = FixedPorts.Next();

        Assert.NotEqual(taken, port);
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
    }

    [Theory]
    [InlineData(32768, 10000, 32767)]
    [InlineData(49152, 10000, 49151)]
    public void Below_AStandardRange_LeavesThePortsUnderIt(int ephemeralLow, int low, int high) =>
        Assert.Equal((low, high), FixedPorts.Below(ephemeralLow));

    [Theory]
    [InlineData(1024)]
    [InlineData(10500)]
    public void Below_ARangeThatStartsLow_LeavesOnlyPortZero(int ephemeralLow) =>
        Assert.Null(FixedPorts.Below(ephemeralLow));
}
