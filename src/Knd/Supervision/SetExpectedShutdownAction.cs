namespace Knd.Supervision;

/// <summary>
/// Not from the machine: the maintenance coordinator's request to write <c>expected_shutdown</c>
/// into config.json and send SIGHUP, performed in order with the machine's neard actions.
/// </summary>
internal sealed record SetExpectedShutdownAction(long? Height, int Generation, TaskCompletionSource<string?> Done) : SupervisorAction;
