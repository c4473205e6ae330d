using System.Text;
using Knd.Configuration;

namespace Knd.Tests.Peers;

/// <summary>The cluster secret file: its rules, SIGHUP re-reads, and that nothing prints the secret.</summary>
public sealed class ClusterSecretTests : IDisposable
{
    private const string Secret = "5f1e9c0d7a3b42e8a6c1d9f0b7e3a2c45f1e9c0d7a3b42e8a6c1d9f0b7e3a2c4";
    private readonly string _dir = Directory.CreateTempSubdirectory("knd-secret-").FullName;

    private string Write(string content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = Path.Combine(_dir, "cluster_secret");
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    [Fact]
    public void GoodFile_WithTrailingNewline_MacsLikeTheBytesWithout()
    {
        var secret = ClusterSecret.TryRead(Write(Secret + "\n"), out var problem);

        Assert.Null(problem);
        Assert.Equal(ClusterSecret.FromBytes(Encoding.UTF8.GetBytes(Secret)).Mac("x"u8), secret!.Mac("x"u8));
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "group or others")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.OtherRead, "group or others")]
    public void FileOthersCanRead_IsRefused(UnixFileMode mode, string expected)
    {
        Assert.Null(ClusterSecret.TryRead(Write(Secret, mode), out var problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ShortSecret_IsRefused_WithoutQuotingIt()
    {
        Assert.Null(ClusterSecret.TryRead(Write("short-but-secret-value\n"), out var problem));
        Assert.Contains("at least 32", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("short-but-secret-value", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFile_IsRefused()
    {
        Assert.Null(ClusterSecret.TryRead(Path.Combine(_dir, "nope"), out var problem));
        Assert.NotNull(problem);
    }

    [Fact]
    public void Reload_TakesTheNewSecret_AndKeepsTheOldOneWhenTheFileBreaks()
    {
        var path = Write(Secret);
        var secret = ClusterSecret.TryRead(path, out _)!;
        var before = secret.Mac("x"u8);

        Write(new string('b', 64));
        Assert.Null(secret.Reload());
        var after = secret.Mac("x"u8);
        Assert.NotEqual(before, after);

        Write(new string('c', 64), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var error = secret.Reload();
        Assert.NotNull(error);
        Assert.DoesNotContain("cccc", error, StringComparison.Ordinal);
        Assert.Equal(after, secret.Mac("x"u8));
    }

    [Fact]
    public void ToString_NamesTheFileOnly()
    {
        var path = Write(Secret);

        var text = ClusterSecret.TryRead(path, out _)!.ToString();

        Assert.Contains(path, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
