using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;
using Serilog.Formatting.Json;

namespace Knd.Logging;

/// <summary>
/// Serilog behind Microsoft.Extensions.Logging. Under systemd (JOURNAL_STREAM set) each line starts
/// with a syslog level prefix and carries no timestamp (the journal adds one); otherwise lines are
/// timestamped. <c>--log-format json</c> writes one JSON object per line with every structured field.
/// <c>--log-dir</c> adds size-bounded rolling files, one set per level.
/// </summary>
internal static class KndLogging
{
    /// <summary>Each rolling file is cut at this size, and this many old ones are kept per level.</summary>
    internal const long FileSizeLimitBytes = 10 * 1024 * 1024;

    internal const int RetainedFilesPerLevel = 5;

    private const string TextTemplate = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";
    private const string JournalTemplate = "{SyslogPrefix}{SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>The daemon's logger; <paramref name="console"/> replaces stderr in tests.</summary>
    public static Logger CreateLogger(
        LogFormat format,
        string? logDir,
        Func<string, string?> environment,
        LogEventLevel minimumLevel = LogEventLevel.Information,
        Stream? console = null)
    {
        var underJournal = !string.IsNullOrEmpty(environment("JOURNAL_STREAM"));
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(minimumLevel)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("System", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .Enrich.With(new SyslogPrefixEnricher())
            .Enrich.With(new EnumAsTextEnricher())
            .WriteTo.Sink(new WholeLineSink(ConsoleFormatter(format, underJournal), console ?? Console.OpenStandardError()));

        if (logDir is not null)
        {
            foreach (var (name, level) in new[] { ("info", LogEventLevel.Information), ("warning", LogEventLevel.Warning), ("error", LogEventLevel.Error) })
            {
                var path = Path.Combine(logDir, $"knd-{name}.log");
                configuration = configuration.WriteTo.Logger(sub => sub
                    .Filter.ByIncludingOnly(e => e.Level >= level)
                    .WriteTo.File(
                        FileFormatter(format),
                        path,
                        fileSizeLimitBytes: FileSizeLimitBytes,
                        rollOnFileSizeLimit: true,
                        retainedFileCountLimit: RetainedFilesPerLevel));
            }
        }

        return configuration.CreateLogger();
    }

    private static ITextFormatter ConsoleFormatter(LogFormat format, bool underJournal) => format switch
    {
        LogFormat.Json => new JsonFormatter(renderMessage: true),
        _ when underJournal => new MessageTemplateTextFormatter(JournalTemplate, null),
        _ => new MessageTemplateTextFormatter(TextTemplate, null),
    };

    private static ITextFormatter FileFormatter(LogFormat format) =>
        format == LogFormat.Json ? new JsonFormatter(renderMessage: true) : new MessageTemplateTextFormatter(TextTemplate, null);

    /// <summary>
    /// Renders enum fields (states, modes, reasons) as plain names: Serilog's literal format "l"
    /// applies to strings only, and would otherwise quote them.
    /// </summary>
    private sealed class EnumAsTextEnricher : ILogEventEnricher
    {
        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
        {
            foreach (var (name, value) in logEvent.Properties.ToList())
            {
                if (value is ScalarValue { Value: Enum e })
                {
                    logEvent.AddOrUpdateProperty(new LogEventProperty(name, new ScalarValue(e.ToString())));
                }
            }
        }
    }

    /// <summary>Adds sd-daemon(3)'s "&lt;N&gt;" priority prefix for the journal.</summary>
    private sealed class SyslogPrefixEnricher : ILogEventEnricher
    {
        private static readonly Dictionary<LogEventLevel, LogEventProperty> Prefixes = new()
        {
            [LogEventLevel.Verbose] = new("SyslogPrefix", new ScalarValue("<7>")),
            [LogEventLevel.Debug] = new("SyslogPrefix", new ScalarValue("<7>")),
            [LogEventLevel.Information] = new("SyslogPrefix", new ScalarValue("<6>")),
            [LogEventLevel.Warning] = new("SyslogPrefix", new ScalarValue("<4>")),
            [LogEventLevel.Error] = new("SyslogPrefix", new ScalarValue("<3>")),
            [LogEventLevel.Fatal] = new("SyslogPrefix", new ScalarValue("<2>")),
        };

        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory) =>
            logEvent.AddPropertyIfAbsent(Prefixes[logEvent.Level]);
    }
}
