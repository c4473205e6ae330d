using Grpc.Core;
using Knd.Etcd;
using Knd.Testing;

namespace Knd.Tests.Etcd;

/// <summary>
/// How <see cref="EtcdConnection.CallAsync{T}"/> hands a request's failure to its caller. No etcd is
/// needed: the call is a delegate, and nothing listens on the endpoint.
/// </summary>
public sealed class EtcdConnectionTests
{
    private static EtcdConnection Connect() =>
        EtcdConnection.Create(new EtcdClientOptions { Endpoints = [new Uri("http://127.0.0.1:9")] });

    private static RpcException DisposedMidCall() =>
        new(new Status(StatusCode.Internal, "Error starting gRPC call. ObjectDisposedException: ObjectDisposed_Generic"));

    [Fact]
    public async Task CallerCancels_AndGrpcReportsInternal_ThrowsOperationCanceled_NotTheRpcException()
    {
        // A warm-up whose own deadline cancelled the read got Internal from gRPC and crashed knd on it.
        using var connection = Connect();
        using var caller = new CancellationTokenSource();

        var thrown = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connection.CallAsync<int>(
            "reachability check",
            async _ =>
            {
                await caller.CancelAsync();
                throw DisposedMidCall();
            },
            caller.Token));

        Assert.Equal(caller.Token, thrown.CancellationToken);
        Assert.IsType<RpcException>(thrown.InnerException);
    }

    [Fact]
    public async Task Internal_WithoutTheCallerCancelling_IsTheResultsError()
    {
        using var connection = Connect();

        var result = await connection.CallAsync<int>("reachability check", _ => throw DisposedMidCall(), CancellationToken.None);

        Assert.Contains("reachability check", result.Failed().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnexpectedException_IsTheResultsError_NeverEscapes()
    {
        using var connection = Connect();

        var result = await connection.CallAsync<int>("lease grant", _ => throw new InvalidOperationException("a bug"), CancellationToken.None);

        var error = result.Failed();
        Assert.Equal(LockServiceFailure.Unavailable, error.Kind);
        Assert.Contains("a bug", error.Message, StringComparison.Ordinal);
    }
}
