namespace NeardSim.Faults;

/// <summary>
/// The injected faults that last: RPC hangs (config sim.rpc_hang or the sim-rpc-hang file) and
/// the node does not sign (config sim.sign = false or the sim-no-sign file).
/// </summary>
internal sealed class FaultState
{
    private readonly bool _configHang;
    private readonly bool _configNoSign;
    private volatile bool _fileHang;
    private volatile bool _fileNoSign;

    public FaultState(bool configHang, bool configNoSign = false)
    {
        _configHang = configHang;
        _configNoSign = configNoSign;
    }

    public bool RpcHang => _configHang || _fileHang;

    /// <summary>Why the node must not sign, or null: it is silent only by these faults.</summary>
    public string? NoSignReason =>
        _configNoSign ? "sim.sign is false" : _fileNoSign ? $"fault file {FaultPoller.NoSignFile} present" : null;

    /// <summary>Returns true when the value changed.</summary>
    public bool SetFileHang(bool hang)
    {
        var changed = _fileHang != hang;
        _fileHang = hang;
        return changed;
    }

    /// <summary>Returns true when the value changed.</summary>
    public bool SetFileNoSign(bool noSign)
    {
        var changed = _fileNoSign != noSign;
        _fileNoSign = noSign;
        return changed;
    }
}
