using System.Diagnostics;
using System.Runtime.Versioning;

namespace Knd.Tests.Configuration;

[SupportedOSPlatform("linux")]
public sealed class KeyFileValidationTests : IDisposable
{
    private readonly RunOptionsFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Parse_KeysDefaultToCredentialsDirectoryAndNeardHome()
    {
        var o = _f.ParseValid();

        Assert.Equal(Path.Combine(_f.Credentials, "validator_key.json"), o.ValidatorKey);
        Assert.Equal(Path.Combine(_f.Credentials, "validator_node_key.json"), o.ValidatorNodeKey);
        Assert.Equal(Path.Combine(_f.Home, "voter_node_key.json"), o.VoterNodeKey);
    }

    [Fact]
    public void Parse_NoValidatorKeyAndNoCredentialsDirectory_FailsAsMissing()
    {
        _f.Env.Remove("CREDENTIALS_DIRECTORY");

        Assert.Equal("--validator-key: missing: set --validator-key or CREDENTIALS_DIRECTORY", _f.ParseError());
    }

    [Fact]
    public void Parse_ValidatorKeyMissingFromCredentialsDirectory_SaysWhereThePathCameFrom()
    {
        File.Delete(_f.ValidatorKeyPath);

        Assert.Equal($"--validator-key (default, from CREDENTIALS_DIRECTORY): \"{_f.ValidatorKeyPath}\" does not exist", _f.ParseError());
    }

    [Fact]
    public void Parse_ExplicitKeyPaths_NeedNoCredentialsDirectory()
    {
        var keys = Directory.CreateDirectory(Path.Combine(_f.Root, "keys")).FullName;
        File.Move(_f.ValidatorKeyPath, Path.Combine(keys, "v.json"));
        File.Move(_f.ValidatorNodeKeyPath, Path.Combine(keys, "n.json"));
        _f.Env.Remove("CREDENTIALS_DIRECTORY");
        _f.Set("validator-key", Path.Combine(keys, "v.json"));
        _f.Set("validator-node-key", Path.Combine(keys, "n.json"));

        var o = _f.ParseValid();

        Assert.Equal(Path.Combine(keys, "v.json"), o.ValidatorKey);
        Assert.Equal(Path.Combine(keys, "n.json"), o.ValidatorNodeKey);
    }

    [Theory]
    [InlineData(0b110_100_100, "readable by group or others (mode 0644); chmod 600 it")]
    [InlineData(0b110_100_000, "readable by group or others (mode 0640); chmod 600 it")]
    [InlineData(0b110_000_100, "readable by group or others (mode 0604); chmod 600 it")]
    [InlineData(0b110_010_000, "writable or executable by group or others (mode 0620); chmod 600 it")]
    public void Parse_ValidatorKeyAccessibleToOthers_IsRefused(int mode, string expected)
    {
        File.SetUnixFileMode(_f.ValidatorKeyPath, (UnixFileMode)mode);

        var error = _f.ParseError();

        Assert.StartsWith("--validator-key (default, from CREDENTIALS_DIRECTORY): ", error, StringComparison.Ordinal);
        Assert.EndsWith(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("validator-node-key")]
    [InlineData("voter-node-key")]
    public void Parse_NodeKeyReadableByOthers_IsRefused(string option)
    {
        var path = option == "voter-node-key" ? _f.VoterNodeKeyPath : _f.ValidatorNodeKeyPath;
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);

        var error = _f.ParseError();

        Assert.StartsWith($"--{option} (default", error, StringComparison.Ordinal);
        Assert.EndsWith("(mode 0644); chmod 600 it", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_KeyMode0400_IsAccepted()
    {
        File.SetUnixFileMode(_f.ValidatorKeyPath, UnixFileMode.UserRead);

        Assert.Equal(RunOptionsFixture.Account, _f.ParseValid().AccountId);
    }

    [Fact]
    public void Parse_KeyIsSymlinkToPrivateFile_IsAccepted()
    {
        var target = Path.Combine(_f.Root, "real_key.json");
        File.Move(_f.ValidatorKeyPath, target);
        File.CreateSymbolicLink(_f.ValidatorKeyPath, target);

        Assert.Equal(RunOptionsFixture.Account, _f.ParseValid().AccountId);
    }

    [Fact]
    public void Parse_KeyIsDirectory_Fails()
    {
        File.Delete(_f.ValidatorKeyPath);
        Directory.CreateDirectory(_f.ValidatorKeyPath);

        Assert.EndsWith($"\"{_f.ValidatorKeyPath}\" is a directory", _f.ParseError(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_KeyIsFifo_FailsWithoutOpeningIt()
    {
        File.Delete(_f.ValidatorKeyPath);
        var mkfifo = new ProcessStartInfo("mkfifo") { ArgumentList = { _f.ValidatorKeyPath } };
        using (var process = Process.Start(mkfifo)!)
        {
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)));
            Assert.Equal(0, process.ExitCode);
        }

        Assert.EndsWith("is not a regular file (a FIFO or device?)", _f.ParseError(), StringComparison.Ordinal);
    }

    // Every content below holds the secret; the fixture asserts no error line quotes it.
    [Theory]
    [InlineData("{\"account_id\":\"a.near\",\"public_key\":\"ed25519:P\",\"secret_key\":\"ed25519:TopSecretKeyMaterial4uXq9ZzDoNotLeakMe", "not valid JSON (line 1)")]
    [InlineData("TopSecretKeyMaterial4uXq9ZzDoNotLeakMe", "not valid JSON")]
    [InlineData("[\"ed25519:TopSecretKeyMaterial4uXq9ZzDoNotLeakMe\"]", "expected a JSON object")]
    [InlineData("{\"account_id\":\"a.near\",\"public_key\":\"ed25519:P\"}", "\"secret_key\" is missing")]
    [InlineData("{\"public_key\":\"ed25519:P\",\"secret_key\":\"ed25519:TopSecretKeyMaterial4uXq9ZzDoNotLeakMe\"}", "\"account_id\" is missing")]
    [InlineData("{\"account_id\":\"a.near\",\"secret_key\":\"ed25519:TopSecretKeyMaterial4uXq9ZzDoNotLeakMe\"}", "\"public_key\" is missing")]
    [InlineData("{\"account_id\":\"a.near\",\"public_key\":\"P\",\"secret_key\":\"ed25519:TopSecretKeyMaterial4uXq9ZzDoNotLeakMe\"}", "\"public_key\" must be \"ed25519:\"")]
    [InlineData("{\"account_id\":\"a.near\",\"public_key\":\"ed25519:P\",\"secret_key\":\"TopSecretKeyMaterial4uXq9ZzDoNotLeakMe\"}", "\"secret_key\" must be a string \"ed25519:\"")]
    [InlineData("{\"account_id\":\"a.near\",\"public_key\":\"ed25519:P\",\"secret_key\":\"ed25519:TopSecretKeyMaterial4uXq9ZzDoNotLeakMe\",\"private_key\":\"ed25519:TopSecretKeyMaterial4uXq9ZzDoNotLeakMe\"}", "both \"secret_key\" and \"private_key\"")]
    [InlineData("{\"account_id\":7,\"public_key\":\"ed25519:P\",\"secret_key\":\"ed25519:TopSecretKeyMaterial4uXq9ZzDoNotLeakMe\"}", "\"account_id\" must be a non-empty string")]
    [InlineData("", "not valid JSON")]
    public void Parse_MalformedValidatorKey_FailsWithoutQuotingTheSecret(string content, string expected)
    {
        RunOptionsFixture.WriteFile(_f.ValidatorKeyPath, content);

        var error = _f.ParseError();

        Assert.StartsWith("--validator-key (default, from CREDENTIALS_DIRECTORY): ", error, StringComparison.Ordinal);
        Assert.Contains("is not a NEAR key file", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_KeyWithPrivateKeyAlias_IsAccepted()
    {
        RunOptionsFixture.WriteFile(_f.ValidatorKeyPath,
            $"{{\"account_id\":\"{RunOptionsFixture.Account}\",\"public_key\":\"ed25519:P\",\"private_key\":\"{RunOptionsFixture.Secret}\"}}");

        Assert.Equal(RunOptionsFixture.Account, _f.ParseValid().AccountId);
    }

    [Fact]
    public void Parse_AccountIdMatchingKey_IsAccepted()
    {
        _f.Set("account-id", RunOptionsFixture.Account);

        Assert.Equal(RunOptionsFixture.Account, _f.ParseValid().AccountId);
    }

    [Fact]
    public void Parse_AccountIdDifferentFromKey_Fails()
    {
        _f.Set("account-id", "other.near");

        Assert.Equal(
            $"--account-id: \"other.near\" differs from account_id \"{RunOptionsFixture.Account}\" of the validator key \"{_f.ValidatorKeyPath}\"",
            _f.ParseError());
    }

    [Fact]
    public void Parse_KeyWithInvalidAccountId_FailsOnValidatorKey()
    {
        RunOptionsFixture.WriteKey(_f.ValidatorKeyPath, "Bad Account", "ed25519:P");

        Assert.Contains("has account_id \"Bad Account\", which is not a valid NEAR account id", _f.ParseError(), StringComparison.Ordinal);
    }
}
