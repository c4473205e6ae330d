using System.Text;
using Knd.Configuration;
using Knd.Peers;
using Knd.Tests.Infrastructure;

namespace Knd.Tests.Peers;

/// <summary>
/// The peer channel's authentication (docs/peer-channel.md): only a holder of the cluster secret can
/// make a request a member accepts, once, addressed to it, inside the window; answers are bound to
/// the request they answer.
/// </summary>
public sealed class PeerAuthTests
{
    private const string Path = "/v1/peer/promise";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"session_id\":\"s1\",\"duration_ms\":10000}");
    private readonly FakeTimeProvider _time = new();

    private PeerAuth Node(string nodeId, string secret = "0123456789abcdef0123456789abcdef-cluster-a") =>
        new(ClusterSecret.FromBytes(Encoding.UTF8.GetBytes(secret)), nodeId, _time);

    [Fact]
    public void SignedRequest_IsAcceptedByTheAddressee()
    {
        var headers = Node("node-0").SignRequest("POST", Path, "node-1", Body);

        Assert.Equal(PeerRejection.None, Node("node-1").VerifyRequest("POST", Path, headers, Body));
    }

    [Fact]
    public void SameRequestTwice_SecondIsAReplay()
    {
        var receiver = Node("node-1");
        var headers = Node("node-0").SignRequest("POST", Path, "node-1", Body);

        Assert.Equal(PeerRejection.None, receiver.VerifyRequest("POST", Path, headers, Body));
        Assert.Equal(PeerRejection.Replayed, receiver.VerifyRequest("POST", Path, headers, Body));
    }

    [Fact]
    public void CapturedRequest_ReplayedAfterTheWindow_IsStale()
    {
        var receiver = Node("node-1");
        var headers = Node("node-0").SignRequest("POST", Path, "node-1", Body);
        Assert.Equal(PeerRejection.None, receiver.VerifyRequest("POST", Path, headers, Body));

        // The nonce is forgotten once the timestamp has left the window; the timestamp check then refuses it.
        _time.Advance(new PeerRules().AuthWindow + TimeSpan.FromSeconds(1));

        Assert.Equal(PeerRejection.Stale, receiver.VerifyRequest("POST", Path, headers, Body));
    }

    [Fact]
    public void RequestFromTheFuture_BeyondTheWindow_IsStale()
    {
        var sender = new PeerAuth(ClusterSecret.FromBytes(Encoding.UTF8.GetBytes("0123456789abcdef0123456789abcdef-cluster-a")), "node-0", new FakeTimeProvider(_time.GetUtcNow() + TimeSpan.FromSeconds(6)));
        var headers = sender.SignRequest("POST", Path, "node-1", Body);

        Assert.Equal(PeerRejection.Stale, Node("node-1").VerifyRequest("POST", Path, headers, Body));
    }

    [Fact]
    public void RequestForAnotherMember_IsRefused()
    {
        var headers = Node("node-0").SignRequest("POST", Path, "node-2", Body);

        Assert.Equal(PeerRejection.WrongNode, Node("node-1").VerifyRequest("POST", Path, headers, Body));
    }

    [Fact]
    public void OtherSecret_IsABadSignature()
    {
        var headers = Node("node-0", "another-secret-another-secret-another-secret").SignRequest("POST", Path, "node-1", Body);

        Assert.Equal(PeerRejection.BadSignature, Node("node-1").VerifyRequest("POST", Path, headers, Body));
    }

    [Theory]
    [InlineData("body")]
    [InlineData("path")]
    [InlineData("from")]
    [InlineData("timestamp")]
    [InlineData("nonce")]
    public void AnyCoveredFieldChanged_IsABadSignature(string field)
    {
        var headers = Node("node-0").SignRequest("POST", Path, "node-1", Body);
        var body = Body;
        var path = Path;
        switch (field)
        {
            case "body":
                body = Encoding.UTF8.GetBytes("{\"session_id\":\"s1\",\"duration_ms\":60000}");
                break;
            case "path":
                path = "/v1/peer/heartbeat";
                break;
            case "from":
                headers = headers with { From = "node-2" };
                break;
            case "timestamp":
                headers = headers with { Timestamp = (long.Parse(headers.Timestamp!, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) };
                break;
            case "nonce":
                headers = headers with { Nonce = new string('a', 32) };
                break;
        }

        Assert.Equal(PeerRejection.BadSignature, Node("node-1").VerifyRequest("POST", path, headers, body));
    }

    [Fact]
    public void RefusedRequest_DoesNotBurnItsNonce()
    {
        // A forgery carrying a real request's nonce must not make the real one look like a replay.
        var receiver = Node("node-1");
        var real = Node("node-0").SignRequest("POST", Path, "node-1", Body);
        var forged = real with { Signature = new string('0', 64) };

        Assert.Equal(PeerRejection.BadSignature, receiver.VerifyRequest("POST", Path, forged, Body));
        Assert.Equal(PeerRejection.None, receiver.VerifyRequest("POST", Path, real, Body));
    }

    [Theory]
    [InlineData(null, "node-1", "123", "n", "s")]
    [InlineData("node-0", "node-1", "-5", "00112233445566778899aabbccddeeff", "s")]
    [InlineData("node-0", "node-1", "123", "XYZ", "s")]
    [InlineData("node-0", "node-1", "123", "00112233445566778899aabbccddeeff", "not-hex")]
    [InlineData("", "node-1", "123", "00112233445566778899aabbccddeeff", "s")]
    public void MissingOrMalformedHeaders_AreMalformed(string? from, string? to, string? timestamp, string? nonce, string? signature)
    {
        var headers = new PeerRequestHeaders(from, to, timestamp, nonce, signature == "s" ? new string('0', 64) : signature);

        Assert.Equal(PeerRejection.Malformed, Node("node-1").VerifyRequest("POST", Path, headers, Body));
    }

    [Fact]
    public void FullNonceCache_RefusesAsBusy()
    {
        var receiver = new PeerAuth(ClusterSecret.FromBytes(Encoding.UTF8.GetBytes("0123456789abcdef0123456789abcdef-cluster-a")), "node-1", _time, nonces: new NonceCache(capacity: 2));
        var sender = Node("node-0");

        Assert.Equal(PeerRejection.None, receiver.VerifyRequest("POST", Path, sender.SignRequest("POST", Path, "node-1", Body), Body));
        Assert.Equal(PeerRejection.None, receiver.VerifyRequest("POST", Path, sender.SignRequest("POST", Path, "node-1", Body), Body));
        Assert.Equal(PeerRejection.Busy, receiver.VerifyRequest("POST", Path, sender.SignRequest("POST", Path, "node-1", Body), Body));

        _time.Advance(new PeerRules().AuthWindow + TimeSpan.FromSeconds(1));
        Assert.Equal(PeerRejection.None, receiver.VerifyRequest("POST", Path, sender.SignRequest("POST", Path, "node-1", Body), Body));
    }

    [Fact]
    public void Answer_VerifiesOnlyForItsRequest_FromTheMemberAsked()
    {
        var leader = Node("node-0");
        var member = Node("node-1");
        var request = leader.SignRequest("POST", Path, "node-1", Body);
        var answer = Encoding.UTF8.GetBytes("{\"granted\":true,\"duration_ms\":10000,\"reason\":null}");
        var signed = member.SignResponse(200, request, answer);

        Assert.Null(leader.VerifyResponse(200, request, "node-1", signed, answer));

        // The same answer to another request (a replayed grant), with another status or body, or claimed by another member: refused.
        var other = leader.SignRequest("POST", Path, "node-1", Body);
        Assert.NotNull(leader.VerifyResponse(200, other, "node-1", signed, answer));
        Assert.NotNull(leader.VerifyResponse(503, request, "node-1", signed, answer));
        Assert.NotNull(leader.VerifyResponse(200, request, "node-1", signed, Encoding.UTF8.GetBytes("{\"granted\":true,\"duration_ms\":60000,\"reason\":null}")));
        Assert.NotNull(leader.VerifyResponse(200, request, "node-2", signed, answer));
        Assert.NotNull(Node("node-0", "another-secret-another-secret-another-secret").VerifyResponse(200, request, "node-1", signed, answer));
    }
}
