namespace Knd.Logging;

/// <summary>How knd writes its log lines (<c>--log-format</c>).</summary>
internal enum LogFormat
{
    Text,
    Json,
}
