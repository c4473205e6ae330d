using System.CommandLine;
using System.Globalization;
using Knd.Configuration;
using Knd.Control;

namespace Knd.Commands;

/// <summary>
/// <c>[MINIMUM_LENGTH] [--shutdown-at H] [--cancel] [--wait] [--timeout DURATION]</c> of
/// <c>knd maintenance-shutdown</c> and <c>knd maintenance-restart</c>, checked together.
/// </summary>
internal sealed class MaintenanceArguments
{
    public Argument<string?> MinimumLength { get; } = new("MINIMUM_LENGTH")
    {
        Arity = ArgumentArity.ZeroOrOne,
        Description = "Stop in the first duty-free window with at least this many heights left (0 or none: the largest window).",
    };

    public Option<string?> ShutdownAt { get; } = new("--shutdown-at")
    {
        HelpName = "H",
        Description = "Stop at this block height instead; it must lie in a duty-free window of this epoch.",
    };

    public Option<bool> Cancel { get; } = new("--cancel") { Description = "Cancel the scheduled maintenance." };

    public Option<bool> Wait { get; } = new("--wait") { Description = "Wait until it has happened (see docs/cli.md)." };

    public Option<string?> Timeout { get; } = new("--timeout")
    {
        HelpName = "DURATION",
        Description = "With --wait: give up waiting after this long (e.g. 2h; default 0, no limit). The maintenance stays scheduled.",
    };

    public IReadOnlyList<Symbol> Symbols => [MinimumLength, ShutdownAt, Cancel, Wait, Timeout];

    /// <summary>The request and the wait limit, or a one-line usage error.</summary>
    public (MaintenanceRequest? Request, TimeSpan WaitTimeout, string? Error) Read(ParseResult parse, MaintenanceKind kind)
    {
        var lengthText = parse.GetValue(MinimumLength);
        var atText = parse.GetValue(ShutdownAt);
        var cancel = parse.GetValue(Cancel);
        var wait = parse.GetValue(Wait);
        long? length = null;
        long? at = null;
        if (lengthText is not null && !TryParseHeight(lengthText, 0, out length))
        {
            return Fail($"MINIMUM_LENGTH: {ValueText.Quote(lengthText)} is not a whole number of heights (0 or more)");
        }

        if (atText is not null && !TryParseHeight(atText, 1, out at))
        {
            return Fail($"--shutdown-at: {ValueText.Quote(atText)} is not a block height (a whole number, 1 or more)");
        }

        if (length is not null && at is not null)
        {
            return Fail("give either MINIMUM_LENGTH or --shutdown-at, not both");
        }

        if (cancel && (length is not null || at is not null))
        {
            return Fail("--cancel takes no MINIMUM_LENGTH or --shutdown-at");
        }

        if (cancel && wait)
        {
            return Fail("--wait cannot be combined with --cancel");
        }

        if (WaitTimeout.Parse(parse.GetValue(Timeout), System.Threading.Timeout.InfiniteTimeSpan, wait, out var timeoutError) is not { } timeout)
        {
            return Fail(timeoutError!);
        }

        // 0 asks for the largest window, as kuutamod's MINIMUM_LENGTH 0 did.
        return (new MaintenanceRequest(kind, length is 0 ? null : length, at, cancel), timeout, null);
    }

    private static bool TryParseHeight(string text, long minimum, out long? value)
    {
        value = null;
        if (text.Length == 0 || !text.All(char.IsAsciiDigit) || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < minimum)
        {
            return false;
        }

        value = parsed;
        return true;
    }

    private static (MaintenanceRequest?, TimeSpan, string?) Fail(string error) => (null, TimeSpan.Zero, error);
}
