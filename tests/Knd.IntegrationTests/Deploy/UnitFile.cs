namespace Knd.IntegrationTests.Deploy;

/// <summary>One <c>Key=Value</c> line of a systemd unit file.</summary>
internal sealed record UnitSetting(string Section, string Key, string Value);

/// <summary>A minimal reader of systemd unit files: sections, settings in order, comments skipped.</summary>
internal sealed class UnitFile
{
    private UnitFile(IReadOnlyList<UnitSetting> settings)
    {
        Settings = settings;
    }

    public IReadOnlyList<UnitSetting> Settings { get; }

    public static UnitFile Load(string path) => Parse(File.ReadAllText(path));

    public static UnitFile Parse(string text)
    {
        var settings = new List<UnitSetting>();
        var section = string.Empty;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                section = line[1..^1];
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                settings.Add(new UnitSetting(section, line[..equals].Trim(), line[(equals + 1)..].Trim()));
            }
        }

        return new UnitFile(settings);
    }

    /// <summary>Every value of <paramref name="key"/> in [Service], in order.</summary>
    public IReadOnlyList<string> All(string key) =>
        Settings.Where(s => s.Section == "Service" && s.Key == key).Select(s => s.Value).ToList();

    /// <summary>The single value of <paramref name="key"/> in [Service]; fails the test when absent or repeated.</summary>
    public string Single(string key)
    {
        var values = All(key);
        Assert.True(values.Count == 1, $"expected exactly one {key}= in [Service], found {values.Count}");
        return values[0];
    }

    /// <summary>A systemd time span such as <c>3s</c>, <c>500ms</c>, <c>1min 30s</c>.</summary>
    public static TimeSpan ParseTimeSpan(string value)
    {
        var total = TimeSpan.Zero;
        foreach (var part in value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var digits = part.TakeWhile(c => char.IsAsciiDigit(c) || c == '.').Count();
            var number = double.Parse(part[..digits], System.Globalization.CultureInfo.InvariantCulture);
            total += part[digits..] switch
            {
                "ms" or "msec" => TimeSpan.FromMilliseconds(number),
                "" or "s" or "sec" => TimeSpan.FromSeconds(number),
                "m" or "min" => TimeSpan.FromMinutes(number),
                "h" or "hr" => TimeSpan.FromHours(number),
                var unit => throw new FormatException($"unknown time unit '{unit}' in '{value}'"),
            };
        }

        return total;
    }
}
