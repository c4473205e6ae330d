using System.Globalization;
using Knd.Control;

namespace Knd.Commands;

/// <summary>
/// What <c>knd switchover --wait</c> shows while it waits: on a terminal one status line redrawn in
/// place with a live countdown to the next window; piped (or on TERM=dumb) one line per change of
/// phase or window, so a log of it reads top to bottom. Nothing with <c>--json</c> (stdout is the
/// final object, stderr stays quiet).
/// </summary>
internal sealed class SwitchoverProgress
{
    private readonly ControlInvocation _knd;
    private readonly bool _live;
    private string? _reported;
    private int _drawn;

    public SwitchoverProgress(ControlInvocation knd, bool live)
    {
        _knd = knd;
        _live = live;
    }

    /// <summary>A redrawn line only where a person watches: stderr is the console's, not redirected, and the terminal can move the cursor.</summary>
    public static bool IsLive(ControlInvocation knd) =>
        !knd.Json
        && ReferenceEquals(knd.Error, Console.Error)
        && !Console.IsErrorRedirected
        && knd.Settings.Environment("TERM") is not "dumb";

    /// <summary>" (in about 42 s)", " (now)", or nothing without an expected time.</summary>
    public static string Eta(SwitchoverStatus status, TimeProvider time)
    {
        if (status.WindowAt is not { } at)
        {
            return string.Empty;
        }

        var left = at - time.GetUtcNow();
        return left <= TimeSpan.Zero ? " (due now)" : string.Create(CultureInfo.InvariantCulture, $" (in about {Describe(left)})");
    }

    public async Task ShowAsync(SwitchoverStatus status)
    {
        if (_knd.Json)
        {
            return;
        }

        var change = $"{status.Phase}|{status.WindowHeight}|{status.Message}";
        if (_live)
        {
            if (change != _reported && _reported is not null && !_reported.StartsWith(status.Phase + "|", StringComparison.Ordinal))
            {
                // A new phase keeps the last line of the old one on screen.
                await EndAsync();
            }

            var line = $"knd {_knd.Name}: {Line(status)}";
            await _knd.Error.WriteAsync("\r" + line.PadRight(_drawn));
            await _knd.Error.FlushAsync();
            _drawn = line.Length;
            _reported = change;
            return;
        }

        if (change != _reported)
        {
            await _knd.NoteAsync(Line(status));
            _reported = change;
        }
    }

    /// <summary>Ends a redrawn line so what follows starts on its own.</summary>
    public async Task EndAsync()
    {
        if (_live && _drawn > 0)
        {
            await _knd.Error.WriteLineAsync();
            _drawn = 0;
        }
    }

    /// <summary>Piped, the daemon's message (it names the window and its ETA as of when it was found); live, the window with a countdown.</summary>
    private string Line(SwitchoverStatus status) =>
        _live && status.Phase == "waiting-for-window" && status.WindowHeight is { } height
            ? string.Create(CultureInfo.InvariantCulture, $"{status.Phase}: next duty-free window at height {height}{Eta(status, _knd.Settings.Time)}, {status.From} -> {status.To}")
            : $"{status.Phase}: {status.Message}";

    private static string Describe(TimeSpan left) =>
        left >= TimeSpan.FromMinutes(2)
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)left.TotalMinutes} min {left.Seconds} s")
            : string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(left.TotalSeconds):0} s");
}
