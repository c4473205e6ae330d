namespace Knd.DevConsul;

/// <summary>
/// One <c>/_dev/spoil</c> rule: which answers it damages (operation, path prefix, client node, every
/// Nth match, at most <see cref="Count"/> times) and how (its modes, used in turn).
/// </summary>
internal sealed class SpoilRule
{
    public required int Id { get; init; }

    public required IReadOnlyList<SpoilMode> Modes { get; init; }

    /// <summary>Operation names (<see cref="AnswerSpoiler.Operation"/>); empty means any.</summary>
    public IReadOnlyList<string> Ops { get; init; } = [];

    public string? PathPrefix { get; init; }

    /// <summary>The client's <c>X-Knd-Node</c>; null means any client.</summary>
    public string? Node { get; init; }

    /// <summary>Spoil every Nth matching answer (1: each one).</summary>
    public int Every { get; init; } = 1;

    /// <summary>How many answers to spoil before the rule ends; null: until cleared.</summary>
    public int? Count { get; init; }

    public TimeSpan DripInterval { get; init; } = AnswerSpoiler.DefaultDripInterval;

    public int Matched { get; set; }

    public int Spoiled { get; set; }

    public bool Matches(string op, string path, string? node) =>
        (Ops.Count == 0 || Ops.Contains(op, StringComparer.Ordinal))
        && (PathPrefix is null || path.StartsWith(PathPrefix, StringComparison.Ordinal))
        && (Node is null || string.Equals(Node, node, StringComparison.Ordinal));
}

/// <summary>A decision to spoil one answer.</summary>
internal readonly record struct Spoil(SpoilMode Mode, TimeSpan DripInterval, int RuleId);

/// <summary>The active spoil rules. Thread-safe: requests are answered concurrently.</summary>
internal sealed class AnswerSpoiler
{
    /// <summary>Slow enough that a body of a few hundred bytes takes far longer than any request timeout.</summary>
    public static readonly TimeSpan DefaultDripInterval = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private readonly List<SpoilRule> _rules = [];
    private int _nextId = 1;
    private long _spoiledTotal;

    public long SpoiledTotal => Interlocked.Read(ref _spoiledTotal);

    public int Add(IReadOnlyList<SpoilMode> modes, IReadOnlyList<string> ops, string? pathPrefix, string? node, int every, int? count, TimeSpan dripInterval)
    {
        lock (_gate)
        {
            var rule = new SpoilRule
            {
                Id = _nextId++,
                Modes = modes,
                Ops = ops,
                PathPrefix = pathPrefix,
                Node = node,
                Every = every,
                Count = count,
                DripInterval = dripInterval,
            };
            _rules.Add(rule);
            return rule.Id;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
        }
    }

    /// <summary>
    /// Counts the answer against every matching rule; the first rule whose turn it is spoils it (with
    /// its next mode in turn) and ends once it has spoiled <see cref="SpoilRule.Count"/> answers.
    /// </summary>
    public Spoil? Decide(string op, string path, string? node)
    {
        lock (_gate)
        {
            Spoil? decision = null;
            foreach (var rule in _rules)
            {
                if (!rule.Matches(op, path, node))
                {
                    continue;
                }

                rule.Matched++;
                if (decision is not null || rule.Matched % rule.Every != 0)
                {
                    continue;
                }

                decision = new Spoil(rule.Modes[rule.Spoiled % rule.Modes.Count], rule.DripInterval, rule.Id);
                rule.Spoiled++;
            }

            _rules.RemoveAll(r => r.Count is { } count && r.Spoiled >= count);
            if (decision is { Mode: not SpoilMode.None })
            {
                Interlocked.Increment(ref _spoiledTotal);
            }

            return decision;
        }
    }

    public IReadOnlyList<DevSpoilRuleWire> Snapshot()
    {
        lock (_gate)
        {
            return _rules.Select(r => new DevSpoilRuleWire
            {
                Id = r.Id,
                Modes = r.Modes.Select(SpoilModes.Name).ToList(),
                Ops = r.Ops,
                PathPrefix = r.PathPrefix,
                Node = r.Node,
                Every = r.Every,
                Remaining = r.Count is { } count ? count - r.Spoiled : null,
                Matched = r.Matched,
                Spoiled = r.Spoiled,
            }).ToList();
        }
    }

    /// <summary>
    /// The operation a request is, by the names knd's client uses where they exist
    /// (<c>knd_consul_requests_total{op}</c>), plus <c>kv_list</c>, <c>session_list</c>,
    /// <c>session_node</c> and <c>status_peers</c>; anything else is <c>other</c>.
    /// </summary>
    public static string Operation(string method, string path, IQueryCollection query)
    {
        if (path.StartsWith("/v1/kv/", StringComparison.Ordinal))
        {
            return method switch
            {
                "GET" => query.ContainsKey("recurse") || query.ContainsKey("keys") ? "kv_list" : "kv_get",
                "PUT" => query.ContainsKey("acquire") ? "kv_acquire" : query.ContainsKey("release") ? "kv_release" : "kv_put",
                "DELETE" => "kv_delete",
                _ => "other",
            };
        }

        if (path.StartsWith("/v1/session/", StringComparison.Ordinal))
        {
            var rest = path["/v1/session/".Length..];
            var verb = rest.Split('/')[0];
            return verb is "create" or "renew" or "destroy" or "info" or "list" or "node" ? "session_" + verb : "other";
        }

        return path switch
        {
            "/v1/status/leader" => "status_leader",
            "/v1/status/peers" => "status_peers",
            "/v1/agent/self" => "agent_self",
            _ => "other",
        };
    }
}
