using System.Diagnostics;
using System.Text.Json.Nodes;
using Knd.Interop;

namespace Knd.Localnet;

/// <summary>The rogue signer of the rogue-signer fault: a neard with the validator key that no knd supervises.</summary>
internal sealed partial class LocalCluster
{
    private string NeardBin { get; set; } = string.Empty;

    /// <summary>
    /// Starts a neard-sim with the validator key in its own home under <c>rogue/</c>, on the cluster's
    /// ledger (docs/neard-sim.md, "A rogue signer"): the same genesis gives it the same heads and duty
    /// heights, and it signs every duty height once synced. Its output goes to <c>rogue/neard.log</c>.
    /// </summary>
    public async Task<RogueSigner> StartRogueSignerAsync(CancellationToken cancellationToken)
    {
        var home = System.IO.Path.Combine(Root, "rogue", "home");
        if (Directory.Exists(home))
        {
            Directory.Delete(home, recursive: true);
        }

        Directory.CreateDirectory(home);
        var node = Units[0].Layout;
        File.Copy(System.IO.Path.Combine(node.Home, "genesis.json"), System.IO.Path.Combine(home, "genesis.json"));
        File.Copy(System.IO.Path.Combine(node.Home, "node_key.json"), System.IO.Path.Combine(home, "node_key.json"));
        KeyFiles.Copy(System.IO.Path.Combine(Root, "keys", "validator_key.json"), System.IO.Path.Combine(home, "validator_key.json"));

        // Its own network port too, so it never meets the node it was copied from.
        var config = JsonNode.Parse(await File.ReadAllTextAsync(System.IO.Path.Combine(node.Home, "config.json"), cancellationToken))!.AsObject();
        config["network"]!["addr"] = $"127.0.0.1:{NodeLayout.FreeLoopbackPort()}";
        await File.WriteAllTextAsync(System.IO.Path.Combine(home, "config.json"), config.ToJsonString(), cancellationToken);

        var info = _launcher.CreateStartInfo(NeardBin, ["--home", home, "run", "--rpc-addr", "127.0.0.1:0"]);
        info.Environment["NEARD_SIM_LEDGER"] = Ledger.Path;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var log = new StreamWriter(System.IO.Path.Combine(Root, "rogue", "neard.log"), append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        await _launcher.StartAsync(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new RogueSigner(home, process, log);
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }
}

/// <summary>A running rogue signer: its home (the <c>home</c> of its ledger lines) and its process.</summary>
internal sealed class RogueSigner(string home, Process process, StreamWriter log) : IAsyncDisposable
{
    public string Home { get; } = home;

    public bool HasExited => process.HasExited;

    /// <summary>SIGTERM, then SIGKILL if it has not exited within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (!process.HasExited)
        {
            Libc.Kill(process.Id, Libc.SigTerm);
        }

        using var deadline = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5));
        process.Dispose();
        lock (log)
        {
            log.Dispose();
        }
    }
}
