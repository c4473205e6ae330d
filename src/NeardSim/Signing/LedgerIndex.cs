using System.Text.Json;
using NeardSim.Chain;

namespace NeardSim.Signing;

/// <summary>
/// The heights each account signed, read from the ledger (possibly shared by several sims): the
/// chain as far as the sims know it. It tails the file: each <see cref="Refresh"/> reads only what
/// was appended since the last one, in fixed-size chunks, and keeps one bit per height for the
/// epochs a sim still answers for (<see cref="ChainHistory.ProductionEpochs"/>), so memory stays
/// bounded however long the ledger grows. A height signed by several processes is one bit.
/// </summary>
internal sealed class LedgerIndex
{
    private const int ChunkSize = 64 * 1024;

    // A replaced ledger (deleted and written anew, as tests do between phases) is noticed by its
    // first bytes changing; a line is about 150 bytes, so this covers the first line.
    private const int PrefixLength = 256;

    private readonly string _path;
    private readonly long _epochLength;
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Account, long Epoch), HeightBits> _signed = [];
    private readonly byte[] _buffer = new byte[ChunkSize];
    private byte[] _prefix = [];
    private long _offset;
    private long _headEpoch;
    private bool _skippingLongLine;

    public LedgerIndex(string path, long epochLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochLength, 1);
        _path = path;
        _epochLength = epochLength;
    }

    /// <summary>Bytes of the ledger consumed so far (complete lines only).</summary>
    public long Offset
    {
        get
        {
            lock (_lock)
            {
                return _offset;
            }
        }
    }

    /// <summary>
    /// Reads the lines appended since the last call and forgets epochs too old for
    /// <paramref name="headEpoch"/>. A missing ledger changes nothing: nothing new was signed.
    /// </summary>
    public void Refresh(long headEpoch)
    {
        lock (_lock)
        {
            Forget(headEpoch);
            FileStream stream;
            try
            {
                stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return;
            }

            using (stream)
            {
                if (IsReplaced(stream))
                {
                    Reset();
                }

                ReadNewLines(stream);
                RememberPrefix(stream);
            }
        }
    }

    /// <summary>
    /// The heights of <paramref name="epoch"/> that <paramref name="accountId"/> signed, as of the
    /// last refresh; null when none. Later refreshes only ever add bits to it.
    /// </summary>
    public HeightBits? Signed(string accountId, long epoch)
    {
        lock (_lock)
        {
            return _signed.GetValueOrDefault((accountId, epoch));
        }
    }

    private void Forget(long headEpoch)
    {
        if (headEpoch <= _headEpoch)
        {
            return;
        }

        _headEpoch = headEpoch;
        var oldest = OldestKept;
        foreach (var stale in _signed.Keys.Where(k => k.Epoch < oldest).ToList())
        {
            _signed.Remove(stale);
        }
    }

    private long OldestKept => _headEpoch - ChainHistory.ProductionEpochs + 1;

    private bool IsReplaced(FileStream stream)
    {
        if (_offset == 0)
        {
            return false;
        }

        if (stream.Length < _offset)
        {
            return true;
        }

        Span<byte> first = stackalloc byte[_prefix.Length];
        stream.Seek(0, SeekOrigin.Begin);
        stream.ReadExactly(first);
        return !first.SequenceEqual(_prefix);
    }

    private void Reset()
    {
        _offset = 0;
        _prefix = [];
        _skippingLongLine = false;
        _signed.Clear();
    }

    private void ReadNewLines(FileStream stream)
    {
        stream.Seek(_offset, SeekOrigin.Begin);
        var carried = 0;
        int read;
        while ((read = stream.Read(_buffer, carried, _buffer.Length - carried)) > 0)
        {
            var filled = carried + read;
            var lineStart = 0;
            int newline;
            while ((newline = _buffer.AsSpan(lineStart, filled - lineStart).IndexOf((byte)'\n')) >= 0)
            {
                if (_skippingLongLine)
                {
                    _skippingLongLine = false;
                }
                else
                {
                    Add(_buffer.AsSpan(lineStart, newline));
                }

                lineStart += newline + 1;
            }

            _offset += lineStart;
            carried = filled - lineStart;
            if (carried == _buffer.Length)
            {
                // No newline in a whole chunk: not a ledger line. Drop it up to its newline.
                _offset += carried;
                carried = 0;
                _skippingLongLine = true;
            }
            else if (carried > 0)
            {
                Buffer.BlockCopy(_buffer, lineStart, _buffer, 0, carried);
            }
        }

        // A trailing partial line (a write still in flight) is read again next time.
    }

    private void RememberPrefix(FileStream stream)
    {
        var length = (int)Math.Min(PrefixLength, Math.Min(stream.Length, _offset));
        if (length <= _prefix.Length)
        {
            return;
        }

        var prefix = new byte[length];
        stream.Seek(0, SeekOrigin.Begin);
        stream.ReadExactly(prefix);
        _prefix = prefix;
    }

    private void Add(ReadOnlySpan<byte> line)
    {
        LedgerRecord? entry;
        try
        {
            entry = JsonSerializer.Deserialize(line, SigningJsonContext.Default.LedgerRecord);
        }
        catch (JsonException)
        {
            // Not ours to judge here; the tests' ledger reader reports malformed lines.
            return;
        }

        if (entry?.AccountId is not { Length: > 0 } account || entry.Height < 0)
        {
            return;
        }

        var epoch = entry.Height / _epochLength;

        // Lines come from sims on the same clock, so nothing is signed beyond the next epoch.
        if (epoch < OldestKept || epoch > _headEpoch + 1)
        {
            return;
        }

        if (!_signed.TryGetValue((account, epoch), out var bits))
        {
            bits = new HeightBits(_epochLength);
            _signed[(account, epoch)] = bits;
        }

        bits.Set(entry.Height - (epoch * _epochLength));
    }
}
