using System.Globalization;

namespace Knd.Interop;

/// <summary>
/// /proc/PID/oom_score_adj. kuutamod set knd's to 100 and neard's to 200, so that under memory
/// pressure the kernel kills neard (which knd notices and handles) before knd (whose death takes
/// neard down with it, and the leadership too). Raising it needs no privilege; lowering does.
/// </summary>
internal static class OomScore
{
    public const int Min = -1000;
    public const int Max = 1000;

    /// <summary>Sets the value; null on success, else why not (one line).</summary>
    public static string? TrySet(int pid, int value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, Min);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Max);
        var path = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/oom_score_adj";
        try
        {
            File.WriteAllText(path, value.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"cannot set {path} to {value}: {ex.Message}";
        }
    }

    /// <summary>The current value, or null when it cannot be read.</summary>
    public static int? Read(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/oom_score_adj").Trim();
            return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
