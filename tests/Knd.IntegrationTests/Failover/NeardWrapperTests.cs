using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Knd.IntegrationTests.Infrastructure;
using Knd.Interop;

namespace Knd.IntegrationTests.Failover;

/// <summary>
/// A <c>--neard-bin</c> wrapper that runs neard-sim as its child instead of exec'ing it (docs say a
/// wrapper must exec; knd must be safe when one does not): knd's stop takes the whole process
/// group, so no neard-sim is left signing or holding the RPC port.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class NeardWrapperTests
{
    [Fact(Timeout = 180_000)]
    public async Task NonExecWrapper_KndStops_NoNeardSimLeft_AndTheRpcPortIsFree()
    {
        using var dir = new TempDirectory("knd-wrapper-");
        var wrapper = WriteNonExecWrapper(dir);
        await using var cluster = await KndCluster.StartAsync(new ClusterOptions { Nodes = 1, Promotion = "restart", NeardBin = wrapper });
        var node = await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60));
        await cluster.WaitForSignatureAsync(node, DateTimeOffset.MinValue, TimeSpan.FromSeconds(20));
        var sims = NeardSims(node.Home.Dir);
        Assert.NotEmpty(sims);

        // The control: neard-sim is the wrapper's child, not knd's (the wrapper did not exec).
        Assert.All(sims, pid => Assert.NotEqual(node.Process!.Pid, ParentPid(pid)));

        node.Signal(Libc.SigTerm);
        Assert.Equal(0, await node.Process!.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        var alive = NeardSims(node.Home.Dir);
        Assert.True(alive.Count == 0, $"neard-sim left running after knd stopped: {string.Join(", ", alive)}\n{node.Diagnostics()}");
        Assert.True(PortIsFree(node.Home.RpcPort), $"the RPC port {node.Home.RpcPort} is still held after knd stopped");
        cluster.AssertNoDoubleSign();
    }

    [Fact(Timeout = 180_000)]
    public async Task WrapperWhoseNeardLeavesTheGroup_LeaderStops_ThatNeardStopsToo_BeforeThePassiveSigns()
    {
        // setsid puts neard-sim in a session and group of its own: a stop by group alone misses it,
        // and it would sign on beside the passive that takes over.
        using var dir = new TempDirectory("knd-wrapper-");
        var wrapper = WriteWrapper(dir, "neard-escaping-wrapper", $"""
            setsid "{ChildProcess.Binary("neard-sim")}" "$@" &
            wait $!
            """);
        await using var cluster = await KndCluster.StartAsync(new ClusterOptions { Nodes = 2, Promotion = "restart", NeardBin = wrapper });
        var leader = await cluster.WaitForSingleLeaderAsync(TimeSpan.FromSeconds(60));
        var passive = cluster.Nodes.Single(n => n != leader);
        await cluster.WaitForSignatureAsync(leader, DateTimeOffset.MinValue, TimeSpan.FromSeconds(20));
        var sims = NeardSims(leader.Home.Dir);
        Assert.NotEmpty(sims);

        // The control: the leader's neard-sim is not in the group of the process knd started.
        var neardPid = (await leader.StatusAsync())!["neard_pid"]!.GetValue<int>();
        Assert.All(sims, pid => Assert.NotEqual(ProcessGroupOf(neardPid), ProcessGroupOf(pid)));

        var stoppedAt = TimeProvider.System.GetUtcNow();
        leader.Signal(Libc.SigTerm);
        Assert.Equal(0, await leader.Process!.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        var alive = NeardSims(leader.Home.Dir);
        Assert.True(alive.Count == 0, $"the escaped neard-sim outlived knd's stop: {string.Join(", ", alive)}\n{leader.Diagnostics()}");
        Assert.Contains(leader.Process.Lines, line => line.Contains("outside its process group", StringComparison.Ordinal));
        var signed = await cluster.WaitForSignatureAsync(passive, stoppedAt, TimeSpan.FromSeconds(20));
        await cluster.WaitForSignatureAsync(passive, signed.Time, TimeSpan.FromSeconds(20));
        cluster.AssertNoDoubleSign();
    }

    /// <summary>A wrapper that runs neard-sim and then does something else, so the shell cannot exec it.</summary>
    internal static string WriteNonExecWrapper(TempDirectory dir) =>
        WriteWrapper(dir, "neard-wrapper", $"""
            "{ChildProcess.Binary("neard-sim")}" "$@"
            echo "neard-wrapper: neard-sim exited with $?" >&2
            """);

    private static string WriteWrapper(TempDirectory dir, string name, string body)
    {
        var path = dir.Combine(name);
        File.WriteAllText(path, ("#!/bin/sh\n" + body).ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static int ProcessGroupOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[2], CultureInfo.InvariantCulture);
    }

    /// <summary>Live neard-sim processes on <paramref name="home"/> (zombies excluded).</summary>
    internal static List<int> NeardSims(string home)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var argv = File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0');
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                if (argv.Length > 2 && Path.GetFileName(argv[0]) == "neard-sim" && argv.Contains(home) && stat[stat.LastIndexOf(')') + 2] is not ('Z' or 'X'))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours.
            }
        }

        return found;
    }

    private static int ParentPid(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
    }

    private static bool PortIsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
