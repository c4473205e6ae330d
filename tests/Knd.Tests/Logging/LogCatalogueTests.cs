using System.Reflection;
using System.Text;
using Knd.Supervision;
using Microsoft.Extensions.Logging;

namespace Knd.Tests.Logging;

/// <summary>
/// docs/log-catalogue.md lists every log event of knd, generated from the <c>[LoggerMessage]</c>
/// definitions: id, level, source and message come from the code; what it means and what the operator
/// does are written by hand. Regenerate after adding or changing an event with
/// <c>KND_WRITE_LOG_CATALOGUE=1 dotnet test tests/Knd.Tests --filter LogCatalogue</c> (the written
/// columns are kept by EventId), then fill in the new rows.
/// </summary>
public sealed class LogCatalogueTests
{
    private const string Header = "| EventId | Level | Source | Message | What it means | What to do |";

    [Fact]
    public void Catalogue_ListsEveryEvent_WithTheCodesLevelAndMessage()
    {
        var events = Events();
        var path = CataloguePath();
        var existing = File.Exists(path) ? Rows(File.ReadAllText(path)) : [];
        if (Environment.GetEnvironmentVariable("KND_WRITE_LOG_CATALOGUE") == "1")
        {
            File.WriteAllText(path, Render(events, existing));
            existing = Rows(File.ReadAllText(path));
        }

        var problems = new List<string>();
        foreach (var e in events)
        {
            if (!existing.TryGetValue(e.Id, out var row))
            {
                problems.Add($"{e.Id} ({e.Source}: {e.Message}) is missing");
            }
            else if (row.Level != e.Level || row.Message != Cell(e.Message) || row.Source != e.Source)
            {
                problems.Add($"{e.Id} differs: the code says {e.Level} {e.Source} \"{Cell(e.Message)}\", the catalogue {row.Level} {row.Source} \"{row.Message}\"");
            }
        }

        problems.AddRange(existing.Keys.Except(events.Select(e => e.Id)).Select(id => $"{id} is listed but no longer logged"));
        Assert.True(problems.Count == 0, "docs/log-catalogue.md is out of date (regenerate it: see LogCatalogueTests):\n" + string.Join('\n', problems));
    }

    [Fact]
    public void Catalogue_ExplainsEveryWarningAndError_AndWhatToDo()
    {
        var rows = Rows(File.ReadAllText(CataloguePath()));
        var unexplained = rows.Values
            .Where(r => r.Level is "Warning" or "Error" or "Critical" && (r.Meaning.Length == 0 || r.Action.Length == 0))
            .Select(r => $"{r.Id} {r.Level} {r.Message}")
            .ToList();
        Assert.True(unexplained.Count == 0, "warnings and errors without a meaning or an action in docs/log-catalogue.md:\n" + string.Join('\n', unexplained));
    }

    [Fact]
    public void EventIds_AreUniqueAcrossKnd()
    {
        var duplicates = Events().GroupBy(e => e.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Method))}").ToList();
        Assert.True(duplicates.Count == 0, string.Join('\n', duplicates));
    }

    /// <summary>Every [LoggerMessage] of knd's own code; dev-consul's (a test server) are left out.</summary>
    internal static List<LogEvent> Events() =>
        [.. typeof(SupervisorService).Assembly.GetTypes()
            .Where(t => t.Namespace is { } ns && !ns.StartsWith("Knd.DevConsul", StringComparison.Ordinal))
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
                .Where(x => x.Attribute is not null)
                .Select(x => new LogEvent(x.Attribute!.EventId, x.Attribute.Level.ToString(), t.Namespace!, x.Attribute.Message, $"{t.FullName}.{x.Method.Name}")))
            .OrderBy(e => e.Id)];

    private static string Render(List<LogEvent> events, Dictionary<int, CatalogueRow> existing)
    {
        var text = new StringBuilder();
        text.Append("""
            # knd log catalogue

            Every event knd logs, generated from the `[LoggerMessage]` definitions in the code (a test,
            `LogCatalogueTests`, fails when this page and the code disagree). The EventId is stable across
            releases even when a message's wording changes; in the journal, search by the message text.
            Placeholders in braces are filled in at run time. Every warning and error says what it means and what to do; information
            rows explain themselves unless noted.

            Ranges: 1000-1099 Consul client, 2000-2099 neard process and home, 3000-3099 supervision,
            3100-3149 hosting, 3150-3199 switchover and pause, 3200-3299 control socket, 5000 metrics,
            6000-6099 systemd.


            """);
        text.Append(Header).Append('\n').Append("|---|---|---|---|---|---|\n");
        foreach (var e in events)
        {
            var row = existing.GetValueOrDefault(e.Id);
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"| {e.Id} | {e.Level} | {e.Source} | {Cell(e.Message)} | {row?.Meaning ?? ""} | {row?.Action ?? ""} |\n");
        }

        return text.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static Dictionary<int, CatalogueRow> Rows(string markdown)
    {
        var rows = new Dictionary<int, CatalogueRow>();
        foreach (var line in markdown.Split('\n'))
        {
            if (!line.StartsWith("| ", StringComparison.Ordinal) || line.StartsWith(Header, StringComparison.Ordinal))
            {
                continue;
            }

            // Split on | not preceded by a backslash.
            var cells = System.Text.RegularExpressions.Regex.Split(line.Trim().Trim('|'), @"(?<!\\)\|").Select(c => c.Trim()).ToArray();
            if (cells.Length == 6 && int.TryParse(cells[0], out var id))
            {
                rows[id] = new CatalogueRow(id, cells[1], cells[2], cells[3], cells[4], cells[5]);
            }
        }

        return rows;
    }

    private static string CataloguePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Knd.sln")))
            {
                return Path.Combine(dir.FullName, "docs", "log-catalogue.md");
            }
        }

        throw new InvalidOperationException("Knd.sln not found above " + AppContext.BaseDirectory);
    }

    internal sealed record LogEvent(int Id, string Level, string Source, string Message, string Method);

    private sealed record CatalogueRow(int Id, string Level, string Source, string Message, string Meaning, string Action);
}
