using System.Diagnostics;
using System.Globalization;
using System.Text;
using Knd.Hosting;
using Knd.Interop;
using Knd.Tests.Neard;

namespace Knd.Tests.Hosting;

public sealed class HomeLockTests : IDisposable
{
    private readonly TempDirectory _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Acquire_FreeHome_WritesThisPidIntoTheLockFile()
    {
        using var homeLock = HomeLock.TryAcquire(_home.Path, out var error);

        Assert.NotNull(homeLock);
        Assert.Null(error);
        using var file = Libc.OpenReadOnlyUnlocked(_home.File(HomeLock.FileName));
        var buffer = new byte[32];
        Assert.Equal(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n", Encoding.ASCII.GetString(buffer, 0, RandomAccess.Read(file, buffer, 0)));
    }

    [Fact]
    public void Acquire_HeldHome_FailsNamingTheHoldersPid()
    {
        using var first = HomeLock.TryAcquire(_home.Path, out _);

        // flock conflicts between open file descriptions, even within one process.
        var second = HomeLock.TryAcquire(_home.Path, out var error);

        Assert.Null(second);
        Assert.Equal($"{_home.Path} is in use by another knd (pid {Environment.ProcessId}, holding {_home.File(HomeLock.FileName)}); run one knd per neard home", error);
    }

    [Fact]
    public void Acquire_AfterTheHolderLetGo_Succeeds_EvenWithAStalePidInTheFile()
    {
        File.WriteAllText(_home.File(HomeLock.FileName), "999999\n");
        HomeLock.TryAcquire(_home.Path, out _)!.Dispose();

        using var again = HomeLock.TryAcquire(_home.Path, out var error);

        Assert.NotNull(again);
        Assert.Null(error);
    }

    [Fact]
    public void Acquire_MissingHome_FailsWithOneLine()
    {
        var home = _home.File("missing");

        Assert.Null(HomeLock.TryAcquire(home, out var error));
        Assert.StartsWith($"cannot open {home}/{HomeLock.FileName} (errno 2)", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error!);
    }

    [Fact]
    public async Task LockDescriptor_IsNotInheritedByAChild()
    {
        using var homeLock = HomeLock.TryAcquire(_home.Path, out _);
        var info = new ProcessStartInfo("/bin/sh", ["-c", "ls -l /proc/$$/fd"]) { RedirectStandardOutput = true, UseShellExecute = false };

        using var child = Process.Start(info)!;
        var listing = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();

        Assert.Equal(0, child.ExitCode);
        Assert.Contains("0 ->", listing, StringComparison.Ordinal);
        Assert.DoesNotContain(HomeLock.FileName, listing, StringComparison.Ordinal);
    }
}
