namespace Knd.Control;

/// <summary>The control socket's routes (docs/cli.md, "The control socket's HTTP API").</summary>
internal static class ControlRoutes
{
    public const string Status = "/status";
    public const string ActiveValidator = "/active_validator";
    public const string Maintenance = "/maintenance";
    public const string Switchover = "/switchover";
    public const string Pause = "/pause";
    public const string Resume = "/resume";

    /// <summary>Request bodies larger than this are refused with 413; the largest real one is under 100 bytes.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The methods each route answers, for 405's Allow header; null for an unknown route.</summary>
    public static string? Allowed(string path) => path switch
    {
        Status or ActiveValidator => "GET",
        Maintenance or Switchover => "GET, POST",
        Pause or Resume => "POST",
        _ => null,
    };
}
