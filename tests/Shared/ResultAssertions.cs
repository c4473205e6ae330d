using Knd.Consul;
using Knd.Control;
using Knd.Cluster;
using Knd.Neard;
using Xunit.Sdk;

namespace Knd.Testing;

/// <summary>
/// A result a test expects to have succeeded (or failed), unwrapped with a message that names what
/// came instead: a failed call then reads as its error, not as a NullReferenceException after a `!`.
/// Compiled into both test projects (see their .csproj).
/// </summary>
internal static class ResultAssertions
{
    public static T Succeeded<T>(this ConsulResult<T> result) =>
        result.TryGetValue(out var value, out var error) ? value : throw new XunitException($"expected the Consul call to succeed; it failed: {error}");

    public static ConsulError Failed<T>(this ConsulResult<T> result) =>
        result.Error ?? throw new XunitException($"expected the Consul call to fail; it answered {result.Value}");

    public static T Succeeded<T>(this LockServiceResult<T> result) =>
        result.TryGetValue(out var value, out var error) ? value : throw new XunitException($"expected the lock service call to succeed; it failed: {error}");

    public static LockServiceError Failed<T>(this LockServiceResult<T> result) =>
        result.Error ?? throw new XunitException($"expected the lock service call to fail; it answered {result.Value}");

    public static T Succeeded<T>(this NeardRpcResult<T> result) =>
        result.TryGetValue(out var value, out var error) ? value : throw new XunitException($"expected the neard RPC to succeed; it failed: {error}");

    public static NeardRpcError Failed<T>(this NeardRpcResult<T> result) =>
        result.Error ?? throw new XunitException($"expected the neard RPC to fail; it answered {result.Value}");

    /// <summary>A success that must carry a value (a key that must exist, a session that must be known).</summary>
    public static T Present<T>(this ConsulResult<T?> result)
        where T : class =>
        result.Succeeded() ?? throw new XunitException($"expected a {typeof(T).Name} from Consul; the call succeeded with none");

    /// <summary>A success that must carry a value (a key that must exist).</summary>
    public static T Present<T>(this LockServiceResult<T?> result)
        where T : class =>
        result.Succeeded() ?? throw new XunitException($"expected a {typeof(T).Name} from the lock service; the call succeeded with none");

    public static T Succeeded<T>(this ControlOutcome<T> outcome) =>
        outcome.TryGetValue(out var value) ? value : throw new XunitException($"expected the control operation to succeed; it failed: {outcome.Error}");
}
