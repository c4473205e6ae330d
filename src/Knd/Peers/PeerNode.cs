using Knd.Configuration;
using Knd.Cluster;
using Knd.Consul;
using Knd.Supervision;

namespace Knd.Peers;

/// <summary>This knd's end of the peer channel: what it serves (<see cref="Inbox"/>) and what it sends (<see cref="Channel"/>).</summary>
internal sealed class PeerNode : IPeerLink
{
    public PeerNode(PeerInbox inbox, PeerChannel channel, string advertised)
    {
        Inbox = inbox;
        Channel = channel;
        Advertised = advertised;
    }

    public PeerInbox Inbox { get; }

    public PeerChannel Channel { get; }

    /// <summary>The address published in this node's member record.</summary>
    public string Advertised { get; }

    public Task RunAsync(CancellationToken cancellationToken) => Channel.RunAsync(cancellationToken);

    public void RequestPromises(RequestPromisesAction request, CancellationToken cancellationToken) => Channel.RequestPromises(request, cancellationToken);

    public void Answer(AnswerPromiseAction answer) => Inbox.Answer(answer);

    /// <summary>Wires a peer node for the supervisor whose event queue is <paramref name="post"/>.</summary>
    public static PeerNode Create(
        string nodeId,
        PeerRules rules,
        FailoverTimings timings,
        ClusterSecret secret,
        string advertised,
        IConsulClient consul,
        ClusterState cluster,
        SupervisorStatus status,
        Action<SupervisorEvent> post,
        Action<string, string> observeRequest,
        Action<PeerRejection> observeRejection,
        TimeProvider time,
        ILogger logger)
    {
        var auth = new PeerAuth(secret, nodeId, time, rules.AuthWindow);
        var inbox = new PeerInbox(auth, rules, post, cancellationToken => ReachesConsulAsync(consul, rules.ConsulProbeTimeout, cancellationToken), observeRejection, time, logger);
        var channel = new PeerChannel(nodeId, rules, timings, new PeerClient(PeerClient.CreateHttpClient(rules.ConnectTimeout), auth), new PeerDirectory(), cluster, status, post, observeRequest, time, logger);
        return new PeerNode(inbox, channel, advertised);
    }

    /// <summary>Whether Consul answers this node and has a leader: what a member tells its machine before it may promise.</summary>
    internal static async Task<bool> ReachesConsulAsync(IConsulClient consul, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        probe.CancelAfter(timeout);
        try
        {
            var leader = await consul.GetLeaderAsync(probe.Token);
            return leader.IsSuccess && !string.IsNullOrEmpty(leader.Value);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
