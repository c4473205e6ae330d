using NeardSim.Home;

namespace Knd.Tests.NeardSim;

public sealed class KeyFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("neard-sim-key-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Load_SecretKey_ReadsAccountAndPublicKey()
    {
        var key = KeyFile.Load(Write("""{"account_id":"pool.test","public_key":"ed25519:PK","secret_key":"ed25519:SK"}"""));

        Assert.Equal(new KeyFile("pool.test", "ed25519:PK"), key);
    }

    [Fact]
    public void Load_PrivateKeyAlias_IsAccepted()
    {
        var key = KeyFile.Load(Write("""{"account_id":"pool.test","public_key":"ed25519:PK","private_key":"ed25519:SK"}"""));

        Assert.Equal("pool.test", key.AccountId);
    }

    [Fact]
    public void Load_BothSecretAndPrivateKey_IsDuplicateFieldError()
    {
        var path = Write("""{"account_id":"a","public_key":"ed25519:PK","secret_key":"ed25519:S1","private_key":"ed25519:S2"}""");

        var error = Assert.Throws<HomeFileException>(() => KeyFile.Load(path));

        Assert.Contains("duplicate field", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("S1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SameFieldTwice_IsDuplicateFieldError()
    {
        var path = Write("""{"account_id":"a","account_id":"b","public_key":"ed25519:PK","secret_key":"ed25519:S"}""");

        Assert.Contains("duplicate field `account_id`", Assert.Throws<HomeFileException>(() => KeyFile.Load(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoSecret_IsMissingFieldError()
    {
        var path = Write("""{"account_id":"a","public_key":"ed25519:PK"}""");

        Assert.Contains("secret_key", Assert.Throws<HomeFileException>(() => KeyFile.Load(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoAccountId_NamesTheField()
    {
        var path = Write("""{"public_key":"ed25519:PK","secret_key":"ed25519:S"}""");

        Assert.Contains("account_id", Assert.Throws<HomeFileException>(() => KeyFile.Load(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CommentsAndUnknownFields_AreAccepted()
    {
        var path = Write("""
            // written by hand
            {"account_id":"a","public_key":"ed25519:PK","secret_key":"ed25519:S","extra":1}
            """);

        Assert.Equal("a", KeyFile.Load(path).AccountId);
    }

    [Fact]
    public void Load_NotJson_ReportsTheFile()
    {
        var path = Write("{not json");

        Assert.StartsWith("key.json: not valid JSON", Assert.Throws<HomeFileException>(() => KeyFile.Load(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOptional_MissingFile_IsNull() => Assert.Null(KeyFile.LoadOptional(Path.Combine(_dir, "absent.json")));

    private string Write(string json)
    {
        var path = Path.Combine(_dir, "key.json");
        File.WriteAllText(path, json);
        return path;
    }
}
