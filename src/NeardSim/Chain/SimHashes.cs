using System.Buffers.Binary;
using System.Globalization;

namespace NeardSim.Chain;

/// <summary>
/// Deterministic stand-ins for block, epoch and state hashes: 32 bytes derived with FNV-1a-64
/// from a label, so every sim of one chain reports the same hash for the same height.
/// </summary>
internal sealed class SimHashes
{
    private readonly string _chainId;

    public SimHashes(string chainId) => _chainId = chainId;

    public string Block(long height) => Of(string.Create(CultureInfo.InvariantCulture, $"block:{height}"));

    public string Epoch(long epoch) => Of(string.Create(CultureInfo.InvariantCulture, $"epoch:{epoch}"));

    public string StateRoot(long height) => Of(string.Create(CultureInfo.InvariantCulture, $"state:{height}"));

    public string Genesis(DateTimeOffset genesisTime) =>
        Of(string.Create(CultureInfo.InvariantCulture, $"genesis:{genesisTime.UtcTicks}"));

    public string Of(string label)
    {
        Span<byte> bytes = stackalloc byte[32];
        for (var i = 0; i < 4; i++)
        {
            var part = Fnv1a64.Hash(string.Create(CultureInfo.InvariantCulture, $"{_chainId}:{label}:{i}"));
            BinaryPrimitives.WriteUInt64BigEndian(bytes[(i * 8)..], part);
        }

        return Base58.Encode(bytes);
    }

    /// <summary>A fake "ed25519:" public key for an account that has no key file here.</summary>
    public string PublicKeyFor(string accountId) => "ed25519:" + Of("key:" + accountId);
}
