namespace Knd.Logging;

/// <summary>The log lines of one lock-service driver's operations, as its folder's <c>[LoggerMessage]</c> methods write them.</summary>
internal sealed record OperationFailureMessages(
    Action<string, string> Failed,
    Action<string, Exception> Crashed,
    Action<string, int, long, string> StillFailing,
    Action<string, int, long> Recovered);

/// <summary>
/// The failure log of a driver whose every operation can fail while its service is down (Consul,
/// etcd): the first failure of a run in full, then a count at most every
/// <see cref="FailureLogLimiter.SummaryInterval"/>, then one line when it works again. An exception
/// inside knd (a bug) has its own run, logged first with its stack trace, so a bug hit on every
/// retry cannot flood the log either.
/// </summary>
internal sealed class OperationFailureLog
{
    /// <summary>What an operation's crash run is keyed by, beside its failure run.</summary>
    public const string CrashKeySuffix = " (inside knd)";

    private readonly OperationFailureMessages _messages;

    public OperationFailureLog(TimeProvider time, OperationFailureMessages messages)
    {
        Limiter = new FailureLogLimiter(time);
        _messages = messages;
    }

    /// <summary>The runs themselves, for an operation (a watch) that logs its recovery its own way.</summary>
    public FailureLogLimiter Limiter { get; }

    public void Failed(string operation, string error)
    {
        var report = Limiter.Failed(operation);
        if (report.Kind == FailureLogKind.First)
        {
            _messages.Failed(operation, error);
        }
        else if (report.Kind == FailureLogKind.Repeated)
        {
            _messages.StillFailing(operation, report.Count, (long)report.Window.TotalSeconds, error);
        }
    }

    public void Crashed(string operation, Exception exception)
    {
        var report = Limiter.Failed(operation + CrashKeySuffix);
        if (report.Kind == FailureLogKind.First)
        {
            _messages.Crashed(operation, exception);
        }
        else if (report.Kind == FailureLogKind.Repeated)
        {
            _messages.StillFailing(operation, report.Count, (long)report.Window.TotalSeconds, $"inside knd: {exception.GetType().Name}: {exception.Message}");
        }
    }

    public void Succeeded(string operation)
    {
        Limiter.Succeeded(operation + CrashKeySuffix);
        var report = Limiter.Succeeded(operation);
        if (report.Kind == FailureLogKind.Recovered)
        {
            _messages.Recovered(operation, report.Count, (long)report.Window.TotalSeconds);
        }
    }
}
