using Knd.Http;
using Knd.Supervision;

namespace Knd.Control;

/// <summary>
/// knd's control routes (docs/cli.md): each binds its typed request record, calls
/// <see cref="ISupervisorControl"/> and renders the outcome; a refusal is a 409 problem.
/// </summary>
internal sealed class ControlEndpoints
{
    private readonly SupervisorStatus _status;
    private readonly ISupervisorControl _control;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;

    public ControlEndpoints(SupervisorStatus status, ISupervisorControl control, ILogger logger, CancellationToken stopping)
    {
        _status = status;
        _control = control;
        _logger = logger;
        _stopping = stopping;
    }

    /// <summary>
    /// Changes (POST) run on the daemon's stopping token, not the request's: a client that hangs
    /// up half-way must not cancel a change half-applied (a config edit, a handover).
    /// </summary>
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet(ControlRoutes.Status, () => ControlResults.Json(StatusReport.From(_status), HttpJsonContext.Default.StatusReport));

        routes.MapGet(ControlRoutes.ActiveValidator, async Task<IResult> (HttpContext context) =>
        {
            var outcome = await _control.GetActiveValidatorAsync(ReadToken(context));
            if (!outcome.TryGetValue(out var active))
            {
                return Fail(HttpMethods.Get, ControlRoutes.ActiveValidator, outcome, _logger, kuutamod: KuutamodRoute.Of(context));
            }

            // kuutamoctl reads kuutamod's Name and Node; it asks on a socket with kuutamod's name.
            return context.Features.Get<ControlConnection>() is { IsKuutamod: true } && active is not null
                ? ControlResults.Json(KuutamodActiveValidator.From(active), ControlJsonContext.Default.KuutamodActiveValidator)
                : ControlResults.Json(active, ControlJsonContext.Default.ActiveValidatorInfo);
        });

        routes.MapGet(ControlRoutes.Maintenance, async Task<IResult> (HttpContext context) =>
            ControlResults.Json(MaintenanceStatusView.From(await _control.GetMaintenanceStatusAsync(ReadToken(context))), ControlJsonContext.Default.MaintenanceStatusView));

        routes.MapPost(ControlRoutes.Maintenance, async (MaintenanceBody body) =>
        {
            var request = body.ToRequest();
            _logger.ControlRequest(HttpMethods.Post, ControlRoutes.Maintenance, Describe(request));
            return Render(ControlRoutes.Maintenance, await _control.ScheduleMaintenanceAsync(request, _stopping), v => ControlResults.Json(MaintenanceStatusView.From(v), ControlJsonContext.Default.MaintenanceStatusView));
        });

        routes.MapGet(ControlRoutes.Switchover, async Task<IResult> (HttpContext context) =>
            ControlResults.Json(await _control.GetSwitchoverStatusAsync(ReadToken(context)), ControlJsonContext.Default.SwitchoverStatus));

        routes.MapPost(ControlRoutes.Switchover, async (SwitchoverBody body) =>
        {
            _logger.ControlRequest(HttpMethods.Post, ControlRoutes.Switchover, body.To is null ? "to any ready passive" : $"to {body.To}");
            return Render(ControlRoutes.Switchover, await _control.SwitchoverAsync(new SwitchoverRequest(body.To, body.DryRun ?? false), _stopping), v => ControlResults.Json(v, ControlJsonContext.Default.SwitchoverStatus));
        });

        routes.MapPost(ControlRoutes.SwitchoverCancel, async (NoFieldsBody body) =>
        {
            _logger.ControlRequest(HttpMethods.Post, ControlRoutes.SwitchoverCancel, "cancel the waiting switchover");
            return Render(ControlRoutes.SwitchoverCancel, await _control.CancelSwitchoverAsync(_stopping), v => ControlResults.Json(v, ControlJsonContext.Default.SwitchoverStatus));
        });

        routes.MapGet(ControlRoutes.Members, async Task<IResult> (HttpContext context) =>
        {
            var outcome = await _control.ListMembersAsync(ReadToken(context));
            return outcome.TryGetValue(out var members)
                ? ControlResults.Json(members, ControlJsonContext.Default.MemberListView)
                : Fail(HttpMethods.Get, ControlRoutes.Members, outcome, _logger);
        });

        routes.MapPost(ControlRoutes.RemoveMember, async (RemoveMemberBody body) =>
        {
            _logger.ControlRequest(HttpMethods.Post, ControlRoutes.RemoveMember, body.NodeId!);
            return Render(ControlRoutes.RemoveMember, await _control.RemoveMemberAsync(body.NodeId!, _stopping), v => ControlResults.Json(new RemovedMember(v), ControlJsonContext.Default.RemovedMember));
        });

        routes.MapPost(ControlRoutes.Pause, (NoFieldsBody body) => SetPausedAsync(ControlRoutes.Pause, true));
        routes.MapPost(ControlRoutes.Resume, (NoFieldsBody body) => SetPausedAsync(ControlRoutes.Resume, false));
    }

    /// <summary>A read ends when the client leaves or the daemon stops (answered 503 then).</summary>
    private CancellationToken ReadToken(HttpContext context)
    {
        var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
        context.Response.RegisterForDispose(linked);
        return linked.Token;
    }

    private async Task<IResult> SetPausedAsync(string route, bool paused)
    {
        _logger.ControlRequest(HttpMethods.Post, route, string.Empty);
        return Render(route, await _control.SetPausedAsync(paused, _stopping), v => ControlResults.Json(new PauseState(v), ControlJsonContext.Default.PauseState));
    }

    /// <summary>
    /// The problem for a failed outcome: 409 when knd refused, 502 when Consul (or neard) did not
    /// give knd what it needed; the detail is the outcome's line, which names the cause.
    /// </summary>
    internal static IResult Fail<T>(string method, string route, ControlOutcome<T> outcome, ILogger logger, string prefix = "", bool kuutamod = false)
    {
        var reason = prefix + (outcome.Error ?? "knd gave no answer");
        logger.ControlRefused(method, route, reason);
        var status = outcome.Failure == ControlFailure.Unavailable ? StatusCodes.Status502BadGateway : StatusCodes.Status409Conflict;
        return ControlResults.Problem(status, reason, kuutamod);
    }

    private IResult Render<T>(string route, ControlOutcome<T> outcome, Func<T, IResult> render) =>
        outcome.Ok && outcome.Value is { } value ? render(value) : Fail(HttpMethods.Post, route, outcome, _logger);

    private static string Describe(MaintenanceRequest request) =>
        $"{MaintenanceKinds.ToWire(request.Kind)}{(request.Cancel ? " cancel" : string.Empty)}"
        + (request.MinimumLength is { } length ? $" minimum_length={length}" : string.Empty)
        + (request.ShutdownAt is { } at ? $" shutdown_at={at}" : string.Empty);
}
