namespace Knd.Tests.Consul;

/// <summary>A Consul HTTP API to run the shared client tests against, with ACLs on and a valid token.</summary>
public abstract class ConsulTestFixture : IAsyncLifetime
{
    internal abstract Uri BaseAddress { get; }

    /// <summary>A token with every permission.</summary>
    internal abstract string Token { get; }

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();
}
