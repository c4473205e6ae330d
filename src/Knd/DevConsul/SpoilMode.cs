namespace Knd.DevConsul;

/// <summary>
/// How <c>/_dev/spoil</c> damages an answer in flight. The request has already taken effect (a
/// session is created, a key written): only the answer is lost or garbled, as with a broken proxy,
/// a dying connection or a server bug.
/// </summary>
internal enum SpoilMode
{
    /// <summary>The body replaced by bytes that are neither JSON nor UTF-8.</summary>
    Garbage,

    /// <summary>The first half of the body, sent as a complete HTTP answer (Content-Length matches).</summary>
    Truncated,

    /// <summary>Valid JSON of another shape: an array becomes an object, anything else an array.</summary>
    WrongShape,

    /// <summary>Every field (or the value itself) of another JSON type: strings become numbers, numbers strings.</summary>
    WrongTypes,

    /// <summary>Every object emptied (<c>[{}]</c>); a bare value becomes an empty body.</summary>
    MissingFields,

    /// <summary>Every array element <c>null</c> (<c>[null]</c> for an empty array); anything else the literal <c>null</c>.</summary>
    NullEntries,

    /// <summary>No <c>X-Consul-Index</c> header.</summary>
    IndexMissing,

    /// <summary><c>X-Consul-Index: not-a-number</c>.</summary>
    IndexGarbage,

    /// <summary><c>X-Consul-Index: 18446744073709551615</c> (2^64-1).</summary>
    IndexHuge,

    /// <summary><c>X-Consul-Index: 0</c>, which Consul never sends.</summary>
    IndexZero,

    /// <summary><c>X-Consul-Index: 1</c>: below anything a client has seen once the store has had a write.</summary>
    IndexBackwards,

    /// <summary>The connection is aborted instead of answering.</summary>
    Reset,

    /// <summary>Status and headers (with the full Content-Length) are sent, then nothing until the client gives up.</summary>
    Stall,

    /// <summary>The body is sent one byte at a time, <c>dripMs</c> apart.</summary>
    Drip,

    /// <summary>The answer passes untouched: a rule that only counts the requests it matches (<c>matched</c> in the state).</summary>
    None,
}

/// <summary>The wire names of <see cref="SpoilMode"/> (kebab-case, as docs/dev-consul.md lists them).</summary>
internal static class SpoilModes
{
    private static readonly (SpoilMode Mode, string Name)[] Names =
    [
        (SpoilMode.Garbage, "garbage"),
        (SpoilMode.Truncated, "truncated"),
        (SpoilMode.WrongShape, "wrong-shape"),
        (SpoilMode.WrongTypes, "wrong-types"),
        (SpoilMode.MissingFields, "missing-fields"),
        (SpoilMode.NullEntries, "null-entries"),
        (SpoilMode.IndexMissing, "index-missing"),
        (SpoilMode.IndexGarbage, "index-garbage"),
        (SpoilMode.IndexHuge, "index-huge"),
        (SpoilMode.IndexZero, "index-zero"),
        (SpoilMode.IndexBackwards, "index-backwards"),
        (SpoilMode.Reset, "reset"),
        (SpoilMode.Stall, "stall"),
        (SpoilMode.Drip, "drip"),
        (SpoilMode.None, "none"),
    ];

    /// <summary>Every mode, in the order "in turn" cycles through them with <c>"modes":["all"]</c>.</summary>
    public static IReadOnlyList<SpoilMode> All { get; } = Names.Select(n => n.Mode).Where(m => m != SpoilMode.None).ToList();

    public static string Name(SpoilMode mode) => Names.First(n => n.Mode == mode).Name;

    public static bool TryParse(string name, out SpoilMode mode)
    {
        foreach (var (candidate, text) in Names)
        {
            if (string.Equals(text, name, StringComparison.OrdinalIgnoreCase))
            {
                mode = candidate;
                return true;
            }
        }

        mode = default;
        return false;
    }

    public static string Known => string.Join(", ", Names.Select(n => n.Name)) + ", all";
}
