namespace NeardSim.Rpc;

/// <summary>
/// What the sim claims to be: a neard 2.2 (validator key hot swap present, key removal on SIGHUP
/// not yet honoured), so version-gated supervisor logic behaves as with that release.
/// </summary>
internal static class SimVersion
{
    public const string Release = "2.2.1";
    public const string Build = "neard-sim-0.1.0";
    public const string Rustc = "none (neard-sim)";
    public const int ProtocolVersion = 69;
    public const int DbVersion = 40;

    public static string VersionLine =>
        $"neard-sim (release {Release}) (build {Build}) (rustc {Rustc}) (protocol {ProtocolVersion}) (db {DbVersion})";
}
