namespace Knd.Control;

/// <summary>The control socket's routes (docs/cli.md, "The control socket's HTTP API"), shared by the server and the CLI.</summary>
internal static class ControlRoutes
{
    public const string Status = "/status";
    public const string ActiveValidator = "/active_validator";
    public const string Maintenance = "/maintenance";
    public const string Switchover = "/switchover";
    public const string SwitchoverCancel = "/switchover/cancel";
    public const string Pause = "/pause";
    public const string Resume = "/resume";
    public const string Members = "/members";
    public const string RemoveMember = "/members/remove";

    /// <summary>Request bodies larger than this are refused with 413; the largest real one is under 100 bytes.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The routes, as a 404 lists them.</summary>
    public const string Listing = "GET /status, GET /active_validator, GET|POST /maintenance, GET|POST /switchover, POST /switchover/cancel, POST /pause, POST /resume, GET /members, POST /members/remove";
}
