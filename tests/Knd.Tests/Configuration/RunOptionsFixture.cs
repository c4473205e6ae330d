using System.Runtime.Versioning;
using Knd.Configuration;

namespace Knd.Tests.Configuration;

/// <summary>
/// A valid <c>knd run</c> setup in a temp dir: a neard home with config.json, the three key files
/// (mode 0600), a fake neard on a private PATH, and CREDENTIALS_DIRECTORY. Each test breaks one thing.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class RunOptionsFixture : IDisposable
{
    /// <summary>Distinctive, so a test can prove no error ever quotes it.</summary>
    public const string Secret = "ed25519:TopSecretKeyMaterial4uXq9ZzDoNotLeakMe";

    public const string Account = "validator.test.near";

    public RunOptionsFixture()
    {
        Root = Directory.CreateTempSubdirectory("knd-opts-").FullName;
        Home = Directory.CreateDirectory(Path.Combine(Root, "home")).FullName;
        Credentials = Directory.CreateDirectory(Path.Combine(Root, "creds")).FullName;
        Bin = Directory.CreateDirectory(Path.Combine(Root, "bin")).FullName;
        File.WriteAllText(Path.Combine(Home, "config.json"), "{}");
        WriteKey(ValidatorKeyPath, Account, "ed25519:ValidatorPublic1");
        WriteKey(ValidatorNodeKeyPath, "node", "ed25519:ValidatorNodePublic1");
        WriteKey(VoterNodeKeyPath, "node", "ed25519:VoterNodePublic1");
        NeardPath = Path.Combine(Bin, "neard");
        WriteFile(NeardPath, "#!/bin/sh\nexit 0\n", (UnixFileMode)0b111_101_101);
        Env["CREDENTIALS_DIRECTORY"] = Credentials;
        Env["PATH"] = Bin;
        Flags["neard-home"] = [Home];
    }

    public string Root { get; }

    public string Home { get; }

    public string Credentials { get; }

    public string Bin { get; }

    public string NeardPath { get; }

    public string ValidatorKeyPath => Path.Combine(Credentials, "validator_key.json");

    public string ValidatorNodeKeyPath => Path.Combine(Credentials, "validator_node_key.json");

    public string VoterNodeKeyPath => Path.Combine(Home, "voter_node_key.json");

    public Dictionary<string, string> Env { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, List<string>> Flags { get; } = new(StringComparer.Ordinal);

    public RunOptionsResult Parse()
    {
        var flags = Flags.ToDictionary(f => f.Key, f => (IReadOnlyList<string>)f.Value, StringComparer.Ordinal);
        return RunOptionsParser.Parse(new RunOptionsInput(flags, name => Env.GetValueOrDefault(name), "test-host"));
    }

    public KndRunOptions ParseValid()
    {
        var result = Parse();
        Assert.True(result.IsSuccess, result.Error?.ToString());
        return result.Options;
    }

    /// <summary>The timings of a valid parse (--session-ttl and --lock-delay live only there).</summary>
    public FailoverTimings ParseValidTimings()
    {
        var result = Parse();
        Assert.True(result.IsSuccess, result.Error?.ToString());
        return result.Timings;
    }

    /// <summary>Parses, expects a failure, and returns the error line as knd prints it (without "knd run: ").</summary>
    public string ParseError()
    {
        var result = Parse();
        Assert.False(result.IsSuccess, "expected an error, the options were accepted");
        var line = result.Error.ToString();
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain("TopSecretKeyMaterial", line, StringComparison.Ordinal);
        return line;
    }

    public void Set(string option, params string[] values) => Flags[option] = [.. values];

    public string WriteConfig(string json)
    {
        var path = Path.Combine(Root, "knd.json");
        File.WriteAllText(path, json);
        Flags["config"] = [path];
        return path;
    }

    public static void WriteKey(string path, string account, string publicKey, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite) =>
        WriteFile(path, $"{{\"account_id\":\"{account}\",\"public_key\":\"{publicKey}\",\"secret_key\":\"{Secret}\"}}", mode);

    public static void WriteFile(string path, string content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
