namespace Knd.DevConsul;

/// <summary>One live session in the dev store. Mutated only under the store's lock.</summary>
internal sealed class StoredSession
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string Node { get; init; }

    /// <summary>Nanoseconds, as Consul stores it; capped at 60s only when applied.</summary>
    public required long LockDelayNs { get; init; }

    public required string Behavior { get; init; }

    /// <summary>The TTL string as given (returned verbatim).</summary>
    public required string TtlText { get; init; }

    public required long TtlNs { get; init; }

    public required IReadOnlyList<string> NodeChecks { get; init; }

    public required ulong CreateIndex { get; set; }

    public required ulong ModifyIndex { get; set; }

    /// <summary>When the TTL timer fires (2 x TTL after the last renew); null without a TTL or while frozen.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    public ITimer? Timer { get; set; }
}

/// <summary>One KV entry in the dev store (immutable; a write replaces it).</summary>
internal sealed record StoredKey(string Key, byte[] Value, ulong Flags, ulong LockIndex, string? Session, ulong CreateIndex, ulong ModifyIndex)
{
    /// <summary>Consul's <c>DirEntry.Equal</c>: an equal write is a no-op and does not bump ModifyIndex.</summary>
    public bool SameContent(StoredKey other) =>
        LockIndex == other.LockIndex && Key == other.Key && Flags == other.Flags && Session == other.Session && Value.AsSpan().SequenceEqual(other.Value);
}

/// <summary>The parsed, defaulted body of a session create.</summary>
internal sealed record SessionSpec(string Name, string Node, long LockDelayNs, string Behavior, string TtlText, IReadOnlyList<string> NodeChecks, IReadOnlyList<string> ServiceChecks);
