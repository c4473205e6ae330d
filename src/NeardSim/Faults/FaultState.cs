namespace NeardSim.Faults;

/// <summary>Whether RPC hangs: from config.json's sim.rpc_hang or, at run time, the sim-rpc-hang file.</summary>
internal sealed class FaultState
{
    private readonly bool _configHang;
    private volatile bool _fileHang;

    public FaultState(bool configHang) => _configHang = configHang;

    public bool RpcHang => _configHang || _fileHang;

    /// <summary>Returns true when the value changed.</summary>
    public bool SetFileHang(bool hang)
    {
        var changed = _fileHang != hang;
        _fileHang = hang;
        return changed;
    }
}
