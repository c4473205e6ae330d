namespace Knd.Consul;

/// <summary>
/// Checks that a parsed Consul answer is whole before the client hands it on: no null entries, the
/// fields Consul always sends present, keys where they were asked for. Missing and mistyped fields
/// are caught by the parser (<c>[JsonRequired]</c> on the wire types); what is left is checked here.
/// A failed check makes the request a <see cref="ConsulErrorKind.MalformedResponse"/>.
/// </summary>
internal static class ConsulAnswers
{
    /// <summary>The session, or null when the element is null or lacks its ID, node or indexes.</summary>
    public static SessionEntry? Session(SessionWire? wire)
    {
        if (wire is null || string.IsNullOrEmpty(wire.Id) || wire.Name is null || string.IsNullOrEmpty(wire.Node) || wire.CreateIndex == 0)
        {
            return null;
        }

        return new SessionEntry(
            wire.Id,
            wire.Name,
            wire.Node,
            GoDuration.ToTimeSpan(wire.LockDelay),
            wire.Behavior ?? string.Empty,
            wire.Ttl ?? string.Empty,
            wire.NodeChecks?.Where(c => c is not null).ToList() ?? [],
            wire.CreateIndex,
            wire.ModifyIndex);
    }

    public static string DescribeBadSession(SessionWire? wire) => wire is null ? "a null entry" : "a session without its ID, Name, Node or CreateIndex";

    /// <summary>The entry, or null when the element is null, has no key, or no ModifyIndex (Consul's is never 0).</summary>
    public static KvEntry? Entry(KvEntryWire? wire)
    {
        if (wire is null || string.IsNullOrEmpty(wire.Key) || wire.ModifyIndex == 0 || wire.CreateIndex == 0)
        {
            return null;
        }

        return new KvEntry(wire.Key, wire.Value ?? [], wire.Flags, wire.LockIndex, string.IsNullOrEmpty(wire.Session) ? null : wire.Session, wire.CreateIndex, wire.ModifyIndex);
    }

    public static string DescribeBadEntry(KvEntryWire? wire) => wire is null ? "a null entry" : "an entry without its Key, CreateIndex or ModifyIndex";

    /// <summary>
    /// What is wrong with the answer's <c>X-Consul-Index</c> (null when it is fine): missing, unreadable,
    /// 0, absurdly large, or below the index a blocking read waited on (<paramref name="waitedOn"/>; 0 for none).
    /// </summary>
    public static string? IndexProblem(string? header, ulong waitedOn, out ulong index)
    {
        index = 0;
        if (header is null)
        {
            return "an answer without X-Consul-Index";
        }

        if (!ulong.TryParse(header, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index))
        {
            return $"an unreadable X-Consul-Index '{ConsulErrors.Trim(header)}'";
        }

        if (!ConsulIndex.IsPlausible(index))
        {
            return index == 0 ? "X-Consul-Index 0, which Consul never sends" : $"an absurd X-Consul-Index {index} (above {ConsulIndex.MaxPlausible})";
        }

        if (waitedOn > 0 && index < waitedOn)
        {
            return $"X-Consul-Index {index}, below the {waitedOn} the read waited on (Consul's index went backwards: reset to 0)";
        }

        return null;
    }
}
