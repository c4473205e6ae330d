using System.Globalization;
using Knd.Supervision;

namespace Knd.Control;

/// <summary>
/// kuutamod's control routes, so that kuutamoctl, kneard-ctl and the scripts written for them work
/// against knd unchanged (../shared/reference/kuutamod.md; docs/cli.md has the table). Each maps
/// onto knd's own operation (<see cref="ISupervisorControl"/>) and answers in kuutamod's shape,
/// <c>{"status": 200, "message": "..."}</c>, with kuutamod's wording. Errors are knd's problem
/// documents with kuutamod's <c>message</c> added, which is what kuutamoctl prints.
/// </summary>
internal sealed class KuutamodEndpoints
{
    private readonly SupervisorStatus _status;
    private readonly ISupervisorControl _control;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;

    public KuutamodEndpoints(SupervisorStatus status, ISupervisorControl control, ILogger logger, CancellationToken stopping)
    {
        _status = status;
        _control = control;
        _logger = logger;
        _stopping = stopping;
    }

    public void Map(IEndpointRouteBuilder routes)
    {
        var kuutamod = routes.MapGroup(string.Empty).WithMetadata(KuutamodRoute.Instance);

        kuutamod.MapGet(KuutamodRoutes.Health, () => Reply("OK"));

        kuutamod.MapPost(KuutamodRoutes.MaintenanceShutdown, (KuutamodMaintenanceBody body) =>
            ScheduleAsync(KuutamodRoutes.MaintenanceShutdown, body.ToRequest(MaintenanceKind.Shutdown), "shutdown at block height: ", "shutdown at current block", "fail to setup maintenance window: "));

        kuutamod.MapPost(KuutamodRoutes.MaintenanceRestart, (KuutamodMaintenanceBody body) =>
            ScheduleAsync(KuutamodRoutes.MaintenanceRestart, body.ToRequest(MaintenanceKind.Restart), "shutdown at block height: ", "shutdown at current block", "fail to setup maintenance window: "));

        // kneard's replacement of the two above; "shutdown cancelled" is its fix of kuutamod#739.
        kuutamod.MapPost(KuutamodRoutes.ScheduleRestart, (KuutamodScheduleRestartBody body) =>
            ScheduleAsync(KuutamodRoutes.ScheduleRestart, body.ToRequest(), "will shutdown at block height: ", "is shutting down at current block", body.Cancel == true ? "fail to cancel restart: " : "fail to schedule restart: "));

        kuutamod.MapGet(KuutamodRoutes.MaintenanceStatus, async Task<IResult> (HttpContext context) =>
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
            return Reply(DescribeStatus(await _control.GetMaintenanceStatusAsync(linked.Token)));
        });

        kuutamod.MapGet(KuutamodRoutes.RpcStatus, () => RpcStatus(_status.Snapshot));
    }

    /// <summary>kuutamod's <c>maintenance_status</c> sentences, from knd's maintenance status.</summary>
    internal static string DescribeStatus(MaintenanceStatus status)
    {
        if (status.Kind is not { } kind)
        {
            return "no maintenance setting now";
        }

        var what = MaintenanceKinds.ToWire(kind);
        return (status.ShutdownAt, status.CurrentHeight) switch
        {
            // The two spaces in the restart sentence are kuutamod's; scripts may match them.
            ({ } at, { } current) when kind == MaintenanceKind.Restart => Invariant($"maintenance restart in {Math.Max(0, at - current)} blocks,  current: {current}, restart at: {at}"),
            ({ } at, { } current) => Invariant($"maintenance shutdown in {Math.Max(0, at - current)} blocks, current: {current}, shutdown at: {at}"),
            ({ } at, null) => Invariant($"maintenance {what} will be at {at}"),
            (null, { } current) => Invariant($"maintenance {what} set, current: {current}"),
            (null, null) => $"maintenance {what} set",
        };
    }

    /// <summary>
    /// kneard's <c>rpc_status</c>: ready while knd's own health polls of neard's RPC (every
    /// HealthPollInterval) find it answering; kuutamod asked neard once per call instead.
    /// </summary>
    internal static IResult RpcStatus(SupervisorSnapshot? snapshot)
    {
        var problem = snapshot switch
        {
            null => "knd has not started neard yet",
            { NeardPid: null } => "neard is not running",
            { NeardHealthy: false } => "neard's RPC does not answer knd's health checks",
            _ => null,
        };
        return problem is null
            ? Reply("rpc service ready")
            : ControlResults.Problem(StatusCodes.Status504GatewayTimeout, $"fail to fetch status from rpc service: {problem}", kuutamod: true);
    }

    private static IResult Reply(string message) => ControlResults.Json(new KuutamodReply(StatusCodes.Status200OK, message), ControlJsonContext.Default.KuutamodReply);

    private async Task<IResult> ScheduleAsync(string route, MaintenanceRequest request, string scheduledAt, string now, string failed)
    {
        _logger.ControlRequest(HttpMethods.Post, route, $"{MaintenanceKinds.ToWire(request.Kind)}{(request.Cancel ? " cancel" : string.Empty)} minimum_length={request.MinimumLength?.ToString(CultureInfo.InvariantCulture) ?? "-"} at={request.ShutdownAt?.ToString(CultureInfo.InvariantCulture) ?? "-"}");
        var outcome = await _control.ScheduleMaintenanceAsync(request, _stopping);
        if (!outcome.Ok || outcome.Value is not { } status)
        {
            return ControlEndpoints.Fail(HttpMethods.Post, route, outcome, _logger, failed, kuutamod: true);
        }

        return Reply(request.Cancel ? CancelledMessage(route, request.Kind)
            : status.ShutdownAt is { } height ? scheduledAt + height.ToString(CultureInfo.InvariantCulture)
            : now);
    }

    private static string CancelledMessage(string route, MaintenanceKind kind) =>
        route == KuutamodRoutes.ScheduleRestart ? "shutdown cancelled" : $"{MaintenanceKinds.ToWire(kind)} cancelled";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>kuutamod's routes (kuutamod 0.x; <c>schedule_restart</c> and <c>rpc_status</c> are kneard's).</summary>
internal static class KuutamodRoutes
{
    public const string Health = "/health";
    public const string MaintenanceShutdown = "/maintenance_shutdown";
    public const string MaintenanceRestart = "/maintenance_restart";
    public const string MaintenanceStatus = "/maintenance_status";
    public const string ScheduleRestart = "/schedule_restart";
    public const string RpcStatus = "/rpc_status";

    public const string Listing = "GET /health, POST /maintenance_shutdown, POST /maintenance_restart, POST /schedule_restart, GET /maintenance_status, GET /rpc_status (kuutamod's)";
}
