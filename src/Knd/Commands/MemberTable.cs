using System.Globalization;
using System.Text;
using Knd.Control;

namespace Knd.Commands;

/// <summary><c>knd list</c>'s table (patronictl list): a header line with the cluster's facts, then one row per member.</summary>
internal static class MemberTable
{
    private static readonly string[] Columns = ["NODE", "ROLE", "STATE", "HEIGHT", "LAG", "SYNCED", "HEALTHY", "PRODUCTION", "HELD_OFF", "TAGS", "RENEWED", "SESSION"];

    public static string Render(MemberListView list)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"cluster {list.LockKey}  leader {list.Leader ?? "none"}  paused {YesNo(list.Paused)}\n");
        if (list.Members.Count == 0)
        {
            text.Append("no member records\n");
            return text.ToString();
        }

        var rows = list.Members.Select(Row).ToList();
        var widths = Columns.Select((c, i) => Math.Max(c.Length, rows.Max(r => r[i].Length))).ToArray();
        Append(text, Columns, widths);
        foreach (var row in rows)
        {
            Append(text, row, widths);
        }

        return text.ToString();
    }

    private static string[] Row(MemberView m) =>
    [
        m.NodeId,
        m.Role,
        m.State,
        Number(m.Height),
        Number(m.Lag),
        YesNo(m.Synced),
        YesNo(m.Healthy),
        m.Production ?? "-",
        YesNo(m.HeldOff),
        Tags(m),
        Age(m.RenewalAgeSeconds),
        Session(m),
    ];

    /// <summary>A session that is gone, or one still held whose renewals stopped reaching the record (docs/cli.md).</summary>
    private static string Session(MemberView m) =>
        !m.Alive ? "gone (stale)" : m.Stale ? "live, not renewed (stale)" : "live";

    /// <summary>A renewal age the way people read it: <c>4s</c>, <c>1m05s</c>, <c>2h03m</c>, <c>3d04h</c>; <c>-</c> when unknown.</summary>
    internal static string Age(double? seconds)
    {
        if (seconds is not { } value || double.IsNaN(value) || value < 0)
        {
            return "-";
        }

        var total = (long)Math.Min(Math.Floor(value), long.MaxValue / 2);
        var (days, hours, minutes, secs) = (total / 86_400, total / 3600 % 24, total / 60 % 60, total % 60);
        return total switch
        {
            < 60 => Invariant($"{secs}s"),
            < 3600 => Invariant($"{minutes}m{secs:00}s"),
            < 86_400 => Invariant($"{hours}h{minutes:00}m"),
            _ => Invariant($"{days}d{hours:00}h"),
        };
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    internal static string Tags(MemberView m) =>
        m.NoFailover ? $"priority={m.Priority.ToString(CultureInfo.InvariantCulture)},no_failover" : $"priority={m.Priority.ToString(CultureInfo.InvariantCulture)}";

    private static void Append(StringBuilder text, string[] cells, int[] widths)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            text.Append(i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i] + 2));
        }

        text.Append('\n');
    }

    private static string Number(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";

    private static string YesNo(bool value) => value ? "yes" : "no";
}
