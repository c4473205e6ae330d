namespace Knd.Etcd;

/// <summary>
/// Either a value or a <see cref="LockServiceError"/> in the failover core's own vocabulary: every
/// etcd call answers with one of these, never with an exception (a cancelled caller token aside).
/// </summary>
internal readonly record struct EtcdResult<T>
{
    private EtcdResult(T? value, LockServiceError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public LockServiceError? Error { get; }

    public bool IsSuccess => Error is null;

    public static EtcdResult<T> Ok(T value) => new(value, null);

    public static EtcdResult<T> Fail(LockServiceError error) => new(default, error);

    public static implicit operator EtcdResult<T>(LockServiceError error) => Fail(error);
}
