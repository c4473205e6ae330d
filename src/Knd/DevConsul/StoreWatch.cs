namespace Knd.DevConsul;

internal enum WatchKind
{
    /// <summary>One key (a blocking read of a single key, present or not).</summary>
    Key,

    /// <summary>Every key under a prefix (recurse and keys reads).</summary>
    Prefix,

    /// <summary>The sessions table (session info, list, node).</summary>
    Sessions,
}

/// <summary>
/// A one-shot notification that something a blocking query reads has changed, like a memdb watch
/// channel. Register before reading, so a change between the read and the wait is not missed.
/// </summary>
internal sealed class StoreWatch : IDisposable
{
    private readonly DevConsulStore _store;
    private readonly TaskCompletionSource _fired = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StoreWatch(DevConsulStore store, WatchKind kind, string key)
    {
        _store = store;
        Kind = kind;
        Key = key;
    }

    public WatchKind Kind { get; }

    public string Key { get; }

    public Task Changed => _fired.Task;

    public bool Matches(string changedKey) => Kind switch
    {
        WatchKind.Key => string.Equals(Key, changedKey, StringComparison.Ordinal),
        WatchKind.Prefix => changedKey.StartsWith(Key, StringComparison.Ordinal),
        _ => false,
    };

    public void Fire() => _fired.TrySetResult();

    public void Dispose() => _store.RemoveWatch(this);
}
