namespace Knd.Hosting;

/// <summary>Daemon-level log events. EventIds 3100-3149 are stable: never reuse or repurpose one.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "knd exporter listening on {Address}")]
    public static partial void ExporterListening(this ILogger logger, string address);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Configuration: {Warning}")]
    public static partial void ConfigurationWarning(this ILogger logger, string warning);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "{Signal}: Consul token file re-read")]
    public static partial void Reloaded(this ILogger logger, string signal);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Error, Message = "{Signal}: {Error}")]
    public static partial void ReloadFailed(this ILogger logger, string signal, string error);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "{Signal}: no --consul-token-file is set, so there is nothing to re-read")]
    public static partial void NothingToReload(this ILogger logger, string signal);
}
