using Knd.Configuration;

namespace Knd.Commands;

/// <summary>The <c>--timeout</c> of a <c>--wait</c>: a Go-style duration, 0 for no limit.</summary>
internal static class WaitTimeout
{
    /// <summary>Null with <paramref name="error"/> set when the text is not a duration; <see cref="Timeout.InfiniteTimeSpan"/> for 0.</summary>
    public static TimeSpan? Parse(string? text, TimeSpan fallback, bool wait, out string? error)
    {
        error = null;
        if (text is null)
        {
            return fallback;
        }

        if (!wait)
        {
            error = "--timeout applies only with --wait";
            return null;
        }

        if (!DurationParser.TryParse(text, out var value, out var problem))
        {
            error = $"--timeout: {problem}";
            return null;
        }

        return value == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : value;
    }

    public static bool Expired(ControlInvocation knd, long started, TimeSpan timeout) =>
        timeout != Timeout.InfiniteTimeSpan && knd.Settings.Time.GetElapsedTime(started) >= timeout;

    public static string Describe(TimeSpan timeout) =>
        timeout.TotalMinutes >= 1 ? $"{timeout.TotalMinutes:0.#} min" : $"{timeout.TotalSeconds:0.#} s";
}
