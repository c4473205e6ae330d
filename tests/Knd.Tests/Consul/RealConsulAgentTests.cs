namespace Knd.Tests.Consul;

/// <summary>
/// The shared client cases against a real <c>consul agent -dev</c> (ACLs on), so the dev server's
/// behaviour is checked against Consul itself. Skipped when no <c>consul</c> binary is on PATH.
/// </summary>
[RequiresConsulBinary]
public sealed class RealConsulAgentTests(RealConsulAgentFixture fixture) : ConsulClientContractTests, IClassFixture<RealConsulAgentFixture>
{
    private protected override ConsulTestFixture Fixture => fixture;
}
