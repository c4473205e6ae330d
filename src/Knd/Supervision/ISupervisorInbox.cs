namespace Knd.Supervision;

/// <summary>
/// The supervisor's inbox: the one way a coordinator, the control socket or a driver tells the
/// failover machine something. Posting never blocks; the machine reads events in order.
/// </summary>
internal interface ISupervisorInbox
{
    void Post(SupervisorEvent supervisorEvent);
}
