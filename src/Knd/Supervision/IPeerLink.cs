namespace Knd.Supervision;

/// <summary>
/// The supervisor's view of this node's end of the peer channel (docs/peer-channel.md): the address
/// it publishes, the loop that sends heartbeats, and the promise requests and answers the machine
/// asks for. Implemented in <c>Peers/</c>, which sits above this folder.
/// </summary>
internal interface IPeerLink
{
    /// <summary>The address published in this node's member record.</summary>
    string Advertised { get; }

    Task RunAsync(CancellationToken cancellationToken);

    void RequestPromises(RequestPromisesAction request, CancellationToken cancellationToken);

    void Answer(AnswerPromiseAction answer);
}
