using System.Globalization;
using System.Text;
using Knd.Control;

namespace Knd.Commands;

/// <summary><c>knd list</c>'s table (patronictl list): a header line with the cluster's facts, then one row per member.</summary>
internal static class MemberTable
{
    private static readonly string[] Columns = ["NODE", "ROLE", "STATE", "HEIGHT", "LAG", "SYNCED", "HEALTHY", "HELD_OFF", "TAGS", "SESSION"];

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
        YesNo(m.HeldOff),
        Tags(m),
        m.Stale ? "gone (stale)" : "live",
    ];

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
