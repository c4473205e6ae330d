using System.Net;
using Knd.DevConsul;

namespace Knd.Tests.Consul;

/// <summary>An in-process knd dev-consul on 127.0.0.1 (port 0), real clock, no blocking stagger, ACLs on.</summary>
public sealed class DevConsulFixture : ConsulTestFixture
{
    private DevConsulServer? _server;

    internal override Uri BaseAddress => _server!.BaseAddress;

    internal override string Token => "dev-fixture-management-token";

    internal DevConsulServer Server => _server!;

    public override async Task InitializeAsync()
    {
        _server = await DevConsulServer.StartAsync(
            new DevConsulOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), AclToken = Token, BlockingStagger = _ => TimeSpan.Zero },
            CancellationToken.None);
    }

    public override async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
