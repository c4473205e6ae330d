namespace Knd.Tests.Consul;

/// <summary>The shared client cases against the in-process knd dev-consul.</summary>
public sealed class DevConsulContractTests(DevConsulFixture fixture) : ConsulClientContractTests, IClassFixture<DevConsulFixture>
{
    private protected override ConsulTestFixture Fixture => fixture;
}
