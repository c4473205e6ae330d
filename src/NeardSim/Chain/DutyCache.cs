namespace NeardSim.Chain;

/// <summary>
/// The duty schedule of whole epochs as bits, computed once per (account, epoch) and kept only for
/// the epochs a sim still answers for, so a request counts bits instead of hashing every height.
/// </summary>
internal sealed class DutyCache
{
    private readonly DutySchedule _schedule;
    private readonly long _epochLength;
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Account, long Epoch), HeightBits> _bits = [];
    private long _newestEpoch;

    public DutyCache(DutySchedule schedule, long epochLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochLength, 1);
        _schedule = schedule;
        _epochLength = epochLength;
    }

    public DutySchedule Schedule => _schedule;

    public HeightBits For(string accountId, long epoch)
    {
        lock (_lock)
        {
            if (_bits.TryGetValue((accountId, epoch), out var cached))
            {
                return cached;
            }

            if (epoch > _newestEpoch)
            {
                _newestEpoch = epoch;
                var oldest = _newestEpoch - ChainHistory.ProductionEpochs + 1;
                foreach (var stale in _bits.Keys.Where(k => k.Epoch < oldest).ToList())
                {
                    _bits.Remove(stale);
                }
            }

            var bits = _schedule.Bits(accountId, epoch * _epochLength, _epochLength);
            if (epoch >= _newestEpoch - ChainHistory.ProductionEpochs + 1)
            {
                _bits[(accountId, epoch)] = bits;
            }

            return bits;
        }
    }
}
