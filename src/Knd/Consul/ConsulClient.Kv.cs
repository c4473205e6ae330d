using System.Globalization;
using System.Text;

namespace Knd.Consul;

internal sealed partial class ConsulClient
{
    /// <summary>Consul's <c>default_query_time</c>: how long a blocking read without <c>wait</c> lasts.</summary>
    private static readonly TimeSpan DefaultQueryTime = TimeSpan.FromMinutes(5);

    /// <summary>Consul's <c>max_query_time</c>.</summary>
    private static readonly TimeSpan MaxQueryTime = TimeSpan.FromMinutes(10);

    public Task<ConsulResult<KvGetResult>> GetKeyAsync(string key, KvQuery query, CancellationToken cancellationToken) =>
        GuardAsync(ConsulOperations.KvGet, cancellationToken, () => GetKeyCoreAsync(key, query, cancellationToken));

    private async Task<ConsulResult<KvGetResult>> GetKeyCoreAsync(string key, KvQuery query, CancellationToken cancellationToken)
    {
        const string Op = ConsulOperations.KvGet;
        if (InvalidKey<KvGetResult>(Op, key) is { } invalid)
        {
            return invalid;
        }

        var (path, timeout) = ReadPath(KeyPath(key), query, recurse: false);
        var sent = await SendAsync(Op, HttpMethod.Get, path, null, timeout, cancellationToken);
        if (!sent.TryGetValue(out var response, out var error))
        {
            return Fail<KvGetResult>(Op, error);
        }

        if (response.Status != 404 && !response.IsSuccess)
        {
            return Fail<KvGetResult>(Op, ConsulErrors.FromStatus(response.Status, Text(response.Body)));
        }

        if (IndexError(response, query.Index) is { } badIndex)
        {
            return Fail<KvGetResult>(Op, badIndex);
        }

        var index = response.Index!.Value;
        if (response.Status == 404)
        {
            // Consul's "no such key": a normal answer, with the index to block on until it appears.
            return Succeed(Op, new KvGetResult(null, index, response.KnownLeader));
        }

        if (!TryParse(response.Body, ConsulJsonContext.Default.ListKvEntryWire, out var entries))
        {
            return Fail<KvGetResult>(Op, ConsulErrors.Malformed(response.Status, "a KV answer that is not an entry array"));
        }

        // A 200 for one key is exactly that key: an empty array or another key is not "missing", it is
        // a broken answer (and a missing lock key means much to the failover, so it must not be guessed).
        if (entries!.Count != 1 || ConsulAnswers.Entry(entries[0]) is not { } entry || entry.Key != key)
        {
            var what = entries.Count != 1 ? $"{entries.Count} entries for one key" : ConsulAnswers.Entry(entries[0]) is null ? ConsulAnswers.DescribeBadEntry(entries[0]) : "an entry for another key";
            return Fail<KvGetResult>(Op, ConsulErrors.Malformed(response.Status, $"a KV answer with {what}"));
        }

        return Succeed(Op, new KvGetResult(entry, index, response.KnownLeader));
    }

    public Task<ConsulResult<bool>> PutKeyAsync(string key, ReadOnlyMemory<byte> value, KvPutOptions options, CancellationToken cancellationToken) =>
        GuardAsync(ConsulOperations.KvPut, cancellationToken, () => PutKeyCoreAsync(key, value, options, cancellationToken));

    private async Task<ConsulResult<bool>> PutKeyCoreAsync(string key, ReadOnlyMemory<byte> value, KvPutOptions options, CancellationToken cancellationToken)
    {
        const string Op = ConsulOperations.KvPut;
        if (InvalidKey<bool>(Op, key) is { } invalid)
        {
            return invalid;
        }

        var path = KeyPath(key) + "?flags=" + options.Flags.ToString(CultureInfo.InvariantCulture);
        if (options.Cas is { } cas)
        {
            path += "&cas=" + cas.ToString(CultureInfo.InvariantCulture);
        }

        var sent = await SendAsync(Op, HttpMethod.Put, path, value, _options.RequestTimeout, cancellationToken);
        return BoolAnswer(Op, sent);
    }

    public Task<ConsulResult<AcquireResult>> AcquireAsync(string key, ReadOnlyMemory<byte> value, string sessionId, ulong flags, CancellationToken cancellationToken) =>
        GuardAsync(ConsulOperations.KvAcquire, cancellationToken, () => AcquireCoreAsync(key, value, sessionId, flags, cancellationToken));

    private async Task<ConsulResult<AcquireResult>> AcquireCoreAsync(string key, ReadOnlyMemory<byte> value, string sessionId, ulong flags, CancellationToken cancellationToken)
    {
        const string Op = ConsulOperations.KvAcquire;
        if (InvalidKey<AcquireResult>(Op, key) is { } invalid)
        {
            return invalid;
        }

        var path = $"{KeyPath(key)}?acquire={Uri.EscapeDataString(sessionId)}&flags={flags.ToString(CultureInfo.InvariantCulture)}";
        var sent = await SendAsync(Op, HttpMethod.Put, path, value, _options.RequestTimeout, cancellationToken);
        if (!sent.TryGetValue(out var response, out var error))
        {
            return Fail<AcquireResult>(Op, error);
        }

        if (response.Status >= 500 && Text(response.Body).Contains("invalid session", StringComparison.OrdinalIgnoreCase))
        {
            _logger.ConsulAcquireSessionGone(key, sessionId);
            _options.RequestObserver?.Invoke(Op, ConsulOperations.Outcome(ConsulErrorKind.InvalidSession));
            return ConsulResult<AcquireResult>.Ok(new AcquireResult(AcquireOutcome.SessionGone));
        }

        var answer = BoolAnswer(Op, sent);
        if (!answer.IsSuccess)
        {
            return ConsulResult<AcquireResult>.Fail(answer.Error);
        }

        if (answer.Value)
        {
            return ConsulResult<AcquireResult>.Ok(new AcquireResult(AcquireOutcome.Acquired));
        }

        // "false" means held by another session or a lock-delay: only a read tells which (api/lock.go does the same).
        var read = await GetKeyAsync(key, KvQuery.Immediate, cancellationToken);
        if (!read.TryGetValue(out var current, out var readError))
        {
            return ConsulResult<AcquireResult>.Fail(readError);
        }

        if (current.Entry?.Session is { } holder)
        {
            _logger.ConsulAcquireHeldByOther(key, holder);
            return ConsulResult<AcquireResult>.Ok(new AcquireResult(AcquireOutcome.HeldByOther, holder));
        }

        _logger.ConsulAcquireLockDelay(key);
        return ConsulResult<AcquireResult>.Ok(new AcquireResult(AcquireOutcome.LockDelay));
    }

    public Task<ConsulResult<bool>> ReleaseAsync(string key, ReadOnlyMemory<byte> value, string sessionId, ulong flags, CancellationToken cancellationToken) =>
        GuardAsync(ConsulOperations.KvRelease, cancellationToken, () => ReleaseCoreAsync(key, value, sessionId, flags, cancellationToken));

    private async Task<ConsulResult<bool>> ReleaseCoreAsync(string key, ReadOnlyMemory<byte> value, string sessionId, ulong flags, CancellationToken cancellationToken)
    {
        const string Op = ConsulOperations.KvRelease;
        if (InvalidKey<bool>(Op, key) is { } invalid)
        {
            return invalid;
        }

        var path = $"{KeyPath(key)}?release={Uri.EscapeDataString(sessionId)}&flags={flags.ToString(CultureInfo.InvariantCulture)}";
        var sent = await SendAsync(Op, HttpMethod.Put, path, value, _options.RequestTimeout, cancellationToken);
        return BoolAnswer(Op, sent);
    }

    public Task<ConsulResult<bool>> DeleteKeyAsync(string key, ulong? cas, CancellationToken cancellationToken) =>
        GuardAsync(ConsulOperations.KvDelete, cancellationToken, () => DeleteKeyCoreAsync(key, cas, cancellationToken));

    private async Task<ConsulResult<bool>> DeleteKeyCoreAsync(string key, ulong? cas, CancellationToken cancellationToken)
    {
        const string Op = ConsulOperations.KvDelete;
        if (InvalidKey<bool>(Op, key) is { } invalid)
        {
            return invalid;
        }

        var path = cas is { } index ? KeyPath(key) + "?cas=" + index.ToString(CultureInfo.InvariantCulture) : KeyPath(key);
        var sent = await SendAsync(Op, HttpMethod.Delete, path, null, _options.RequestTimeout, cancellationToken);
        return BoolAnswer(Op, sent);
    }

    /// <summary>Keys keep their slashes; every segment is escaped.</summary>
    private static string KeyPath(string key) => "/v1/kv/" + string.Join('/', key.Split('/').Select(Uri.EscapeDataString));

    private ConsulResult<T>? InvalidKey<T>(string operation, string key)
    {
        if (key.Length == 0 || key[0] == '/')
        {
            return Fail<T>(operation, new ConsulError(ConsulErrorKind.BadRequest, null, $"invalid Consul key '{key}': it must be non-empty and must not begin with '/'"));
        }

        return null;
    }

    /// <summary>
    /// Reads every key under <paramref name="prefix"/> (<c>?recurse</c>), with the same blocking and
    /// consistency options as <see cref="GetKeyAsync"/>. No key under the prefix is an empty list (Consul's 404).
    /// </summary>
    public Task<ConsulResult<KvListResult>> ListAsync(string prefix, KvQuery query, CancellationToken cancellationToken) =>
        GuardAsync(ConsulOperations.KvGet, cancellationToken, async () =>
        {
            const string Op = ConsulOperations.KvGet;
            if (InvalidKey<KvListResult>(Op, prefix) is { } invalid)
            {
                return invalid;
            }

            var (path, timeout) = ReadPath(KeyPath(prefix), query, recurse: true);
            var sent = await SendAsync(Op, HttpMethod.Get, path, null, timeout, cancellationToken);
            if (!sent.TryGetValue(out var response, out var error))
            {
                return Fail<KvListResult>(Op, error);
            }

            if (response.Status != 404 && !response.IsSuccess)
            {
                return Fail<KvListResult>(Op, ConsulErrors.FromStatus(response.Status, Text(response.Body)));
            }

            if (IndexError(response, query.Index) is { } badIndex)
            {
                return Fail<KvListResult>(Op, badIndex);
            }

            var index = response.Index!.Value;
            if (response.Status == 404)
            {
                return Succeed(Op, new KvListResult([], index, response.KnownLeader));
            }

            if (!TryParse(response.Body, ConsulJsonContext.Default.ListKvEntryWire, out var entries))
            {
                return Fail<KvListResult>(Op, ConsulErrors.Malformed(response.Status, "a KV answer that is not an entry array"));
            }

            var list = new List<KvEntry>(entries!.Count);
            foreach (var wire in entries)
            {
                if (ConsulAnswers.Entry(wire) is not { } entry)
                {
                    return Fail<KvListResult>(Op, ConsulErrors.Malformed(response.Status, $"a KV answer with {ConsulAnswers.DescribeBadEntry(wire)}"));
                }

                if (!entry.Key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return Fail<KvListResult>(Op, ConsulErrors.Malformed(response.Status, $"a KV answer for prefix {prefix} holding key {entry.Key}"));
                }

                list.Add(entry);
            }

            return Succeed(Op, new KvListResult(list, index, response.KnownLeader));
        });

    /// <summary>The read URL with index/wait/consistency (and recurse), and the request's timeout.</summary>
    private (string Path, TimeSpan Timeout) ReadPath(string keyPath, KvQuery query, bool recurse)
    {
        var path = new StringBuilder(keyPath);
        var separator = '?';
        void Add(string parameter)
        {
            path.Append(separator).Append(parameter);
            separator = '&';
        }

        if (recurse)
        {
            Add("recurse");
        }

        var timeout = _options.RequestTimeout;
        if (query.Index > 0)
        {
            Add("index=" + query.Index.ToString(CultureInfo.InvariantCulture));
            var wait = query.Wait is { } requested && requested > TimeSpan.Zero ? requested : DefaultQueryTime;
            wait = wait > MaxQueryTime ? MaxQueryTime : wait;
            if (query.Wait is not null)
            {
                Add("wait=" + GoDuration.ToWire(wait));
            }

            timeout = wait + (wait / 16) + _options.RequestTimeout;
        }

        if (query.Consistency == ConsulConsistency.Consistent)
        {
            Add("consistent");
        }
        else if (query.Consistency == ConsulConsistency.Stale)
        {
            Add("stale");
        }

        return (path.ToString(), timeout);
    }
}
