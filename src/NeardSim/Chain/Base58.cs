using System.Numerics;
using System.Text;

namespace NeardSim.Chain;

/// <summary>Bitcoin-alphabet base58, the text form of NEAR hashes and keys.</summary>
internal static class Base58
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var value = new BigInteger(data, isUnsigned: true, isBigEndian: true);
        var text = new StringBuilder();
        while (value > 0)
        {
            value = BigInteger.DivRem(value, 58, out var remainder);
            text.Insert(0, Alphabet[(int)remainder]);
        }

        foreach (var b in data)
        {
            if (b != 0)
            {
                break;
            }

            text.Insert(0, '1');
        }

        return text.ToString();
    }
}
