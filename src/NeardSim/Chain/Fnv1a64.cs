using System.Text;

namespace NeardSim.Chain;

/// <summary>FNV-1a, 64-bit: the hash behind the public duty schedule (contract §8).</summary>
internal static class Fnv1a64
{
    public const ulong OffsetBasis = 14695981039346656037UL;
    public const ulong Prime = 1099511628211UL;

    public static ulong Hash(ReadOnlySpan<byte> data)
    {
        var hash = OffsetBasis;
        foreach (var b in data)
        {
            hash ^= b;
            hash = unchecked(hash * Prime);
        }

        return hash;
    }

    public static ulong Hash(string text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        Span<byte> buffer = max <= 512 ? stackalloc byte[max] : new byte[max];
        var length = Encoding.UTF8.GetBytes(text, buffer);
        return Hash(buffer[..length]);
    }
}
