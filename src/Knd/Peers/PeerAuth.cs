using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Knd.Configuration;

namespace Knd.Peers;

/// <summary>The authentication headers of one peer request, as sent or received (null where absent).</summary>
internal sealed record PeerRequestHeaders(string? From, string? To, string? Timestamp, string? Nonce, string? Signature);

/// <summary>The authentication headers of one peer response.</summary>
internal sealed record PeerResponseHeaders(string? From, string? Timestamp, string? Signature);

/// <summary>Why a request was refused (the <c>reason</c> label of <c>knd_peer_rejected_total</c>).</summary>
internal enum PeerRejection
{
    None,

    /// <summary>A header is missing or not in its format.</summary>
    Malformed,

    /// <summary>Signed for another node: a request to one member replayed to another.</summary>
    WrongNode,

    /// <summary>The MAC does not match: not signed with this cluster's secret, or altered on the way.</summary>
    BadSignature,

    /// <summary>The timestamp is outside the window: an old request replayed, or clocks too far apart.</summary>
    Stale,

    /// <summary>The nonce was seen already inside the window.</summary>
    Replayed,

    /// <summary>The nonce cache is full (only an authentic flood could fill it).</summary>
    Busy,
}

/// <summary>
/// Signs and checks peer requests and responses (docs/peer-channel.md). A request's MAC covers a
/// fixed label, the method, the path, the sender and the addressed node, a timestamp, a nonce and the
/// body's SHA-256; it is accepted once, inside a window of <see cref="Window"/> around the receiver's
/// clock. A response's MAC covers the status, the request's nonce, both nodes, its own timestamp and
/// its body, so an answer cannot be forged, moved to another request or replayed. MACs are compared in
/// constant time. Nothing here logs or returns the secret.
/// </summary>
internal sealed class PeerAuth
{
    private const string RequestLabel = "knd-peer-request-v1";
    private const string ResponseLabel = "knd-peer-response-v1";
    private const int NonceBytes = 16;
    private const int MacBytes = 32;

    private readonly ClusterSecret _secret;
    private readonly TimeProvider _time;
    private readonly NonceCache _nonces;

    /// <summary><paramref name="window"/>: <see cref="PeerRules.AuthWindow"/>; null means its default.</summary>
    public PeerAuth(ClusterSecret secret, string nodeId, TimeProvider time, TimeSpan? window = null, NonceCache? nonces = null)
    {
        Window = window ?? new PeerRules().AuthWindow;
        _secret = secret;
        NodeId = nodeId;
        _time = time;
        _nonces = nonces ?? new NonceCache();
    }

    /// <summary>How far a request's or answer's timestamp may be from this node's wall clock (<see cref="PeerRules.AuthWindow"/>).</summary>
    public TimeSpan Window { get; }

    /// <summary>This node's id: the sender of what it signs, the addressee of what it accepts.</summary>
    public string NodeId { get; }

    /// <summary>Headers for a request from this node to <paramref name="to"/>; the nonce is fresh and random.</summary>
    public PeerRequestHeaders SignRequest(string method, string path, string to, ReadOnlySpan<byte> body)
    {
        var timestamp = NowMs().ToString(CultureInfo.InvariantCulture);
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(NonceBytes));
        var mac = _secret.Mac(RequestText(method, path, NodeId, to, timestamp, nonce, body));
        return new PeerRequestHeaders(NodeId, to, timestamp, nonce, Convert.ToHexStringLower(mac));
    }

    /// <summary>
    /// Checks a received request: its form, that it is addressed to this node, its MAC, its timestamp,
    /// and that its nonce is new (recorded only when everything else holds).
    /// </summary>
    public PeerRejection VerifyRequest(string method, string path, PeerRequestHeaders headers, ReadOnlySpan<byte> body)
    {
        if (headers is not { From: { Length: > 0 } from, To: { } to, Timestamp: { } timestampText, Nonce: { } nonce, Signature: { } signature }
            || !long.TryParse(timestampText, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)
            || !IsHex(nonce, NonceBytes) || !TryHex(signature, out var mac))
        {
            return PeerRejection.Malformed;
        }

        if (to != NodeId)
        {
            return PeerRejection.WrongNode;
        }

        if (!CryptographicOperations.FixedTimeEquals(mac, _secret.Mac(RequestText(method, path, from, to, timestampText, nonce, body))))
        {
            return PeerRejection.BadSignature;
        }

        var now = NowMs();
        var window = (long)Window.TotalMilliseconds;
        if (Math.Abs(now - timestamp) > window)
        {
            return PeerRejection.Stale;
        }

        // Past timestamp + window the timestamp check refuses it, so the nonce need not be kept longer.
        return _nonces.TryAdd(nonce, timestamp + window + 1, now) switch
        {
            NonceVerdict.Fresh => PeerRejection.None,
            NonceVerdict.Replayed => PeerRejection.Replayed,
            _ => PeerRejection.Busy,
        };
    }

    /// <summary>Headers for this node's answer (status and body) to the request <paramref name="request"/>.</summary>
    public PeerResponseHeaders SignResponse(int status, PeerRequestHeaders request, ReadOnlySpan<byte> body)
    {
        var timestamp = NowMs().ToString(CultureInfo.InvariantCulture);
        var mac = _secret.Mac(ResponseText(status, request.Nonce!, NodeId, request.From!, timestamp, body));
        return new PeerResponseHeaders(NodeId, timestamp, Convert.ToHexStringLower(mac));
    }

    /// <summary>
    /// Checks the answer to <paramref name="request"/>, which this node sent to <paramref name="expectedFrom"/>.
    /// Returns null when it is authentic, else what is wrong.
    /// </summary>
    public string? VerifyResponse(int status, PeerRequestHeaders request, string expectedFrom, PeerResponseHeaders headers, ReadOnlySpan<byte> body)
    {
        if (headers is not { From: { } from, Timestamp: { } timestampText, Signature: { } signature }
            || !long.TryParse(timestampText, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp) || !TryHex(signature, out var mac))
        {
            return "the answer carries no valid signature headers";
        }

        if (from != expectedFrom)
        {
            return $"the answer says it comes from {from}, not {expectedFrom}";
        }

        if (!CryptographicOperations.FixedTimeEquals(mac, _secret.Mac(ResponseText(status, request.Nonce!, from, NodeId, timestampText, body))))
        {
            return "the answer's signature does not match (another cluster secret, or a forged or replayed answer)";
        }

        return Math.Abs(NowMs() - timestamp) > (long)Window.TotalMilliseconds ? "the answer's timestamp is outside the window" : null;
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static byte[] RequestText(string method, string path, string from, string to, string timestamp, string nonce, ReadOnlySpan<byte> body) =>
        Encoding.UTF8.GetBytes($"{RequestLabel}\n{method}\n{path}\n{from}\n{to}\n{timestamp}\n{nonce}\n{BodyHash(body)}");

    private static byte[] ResponseText(int status, string requestNonce, string from, string to, string timestamp, ReadOnlySpan<byte> body) =>
        Encoding.UTF8.GetBytes($"{ResponseLabel}\n{status.ToString(CultureInfo.InvariantCulture)}\n{requestNonce}\n{from}\n{to}\n{timestamp}\n{BodyHash(body)}");

    private static string BodyHash(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA256.HashData(body));

    private static bool IsHex(string text, int bytes) => text.Length == bytes * 2 && text.All(char.IsAsciiHexDigitLower);

    private static bool TryHex(string text, out byte[] bytes)
    {
        bytes = [];
        if (!IsHex(text, MacBytes))
        {
            return false;
        }

        bytes = Convert.FromHexString(text);
        return true;
    }
}
