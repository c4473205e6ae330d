using NeardSim.Home;
using NeardSim.Hosting;
using NeardSim.Rpc;

namespace NeardSim.Cli;

/// <summary>neard's command line, the part supervisors use: <c>[--home DIR] run [--boot-nodes LIST] [--rpc-addr HOST:PORT]</c>.</summary>
internal static class SimCli
{
    public const string Usage = "Usage: neard-sim [--home <HOME>] run [--boot-nodes <BOOT_NODES>] [--rpc-addr <RPC_ADDR>] [--catch-up-after-swap <BLOCKS>]";

    public static async Task<int> RunAsync(string[] args)
    {
        var parsed = Parse(args, Environment.GetEnvironmentVariable);
        switch (parsed.Action)
        {
            case CliAction.Version:
                Console.Out.WriteLine(SimVersion.VersionLine);
                return ExitCodes.Ok;
            case CliAction.Help:
                Console.Out.WriteLine(Usage);
                return ExitCodes.Ok;
            case CliAction.Error:
                await Console.Error.WriteLineAsync($"error: {parsed.Error}");
                return ExitCodes.Usage;
            case CliAction.Run:
            default:
                if (!Directory.Exists(parsed.Home))
                {
                    await Console.Error.WriteLineAsync($"error: home directory '{parsed.Home}' does not exist");
                    return ExitCodes.Usage;
                }

                return await SimHost.RunAsync(parsed.Home, parsed.BootNodes, parsed.RpcAddr, parsed.CatchUpAfterSwapBlocks ?? Node.NodeState.DefaultCatchUpAfterSwapBlocks);
        }
    }

    public static SimArguments Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        string? home = null;
        string? bootNodes = null;
        string? rpcAddr = null;
        int? catchUpBlocks = null;
        var sawRun = false;
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inlineValue) = Split(args[i]);
            switch (name)
            {
                case "--version" or "-V":
                    return new SimArguments(CliAction.Version, "", null);
                case "--help" or "-h":
                    return new SimArguments(CliAction.Help, "", null);
                case "--home" when !sawRun:
                case "--boot-nodes" when sawRun:
                case "--rpc-addr" when sawRun:
                case "--catch-up-after-swap" when sawRun:
                    var value = inlineValue ?? (i + 1 < args.Count ? args[++i] : null);
                    if (value is null)
                    {
                        return Fail($"a value is required for '{name} <VALUE>' but none was supplied");
                    }

                    switch (name)
                    {
                        case "--home":
                            home = value;
                            break;
                        case "--boot-nodes":
                            bootNodes = value;
                            break;
                        case "--catch-up-after-swap":
                            if (!int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var blocks) || blocks > 1_000_000)
                            {
                                return Fail($"invalid value '{value}' for '--catch-up-after-swap <BLOCKS>': expected a number of blocks from 0 to 1000000");
                            }

                            catchUpBlocks = blocks;
                            break;
                        default:
                            if (!HostPort.TryParse(value, out _))
                            {
                                return Fail($"invalid value '{value}' for '--rpc-addr <RPC_ADDR>': expected HOST:PORT");
                            }

                            rpcAddr = value;
                            break;
                    }

                    break;
                case "run" when !sawRun:
                    sawRun = true;
                    break;
                default:
                    return Fail($"unexpected argument '{args[i]}' found. {Usage}");
            }
        }

        if (!sawRun)
        {
            return Fail($"'neard-sim' requires a subcommand but one was not provided. {Usage}");
        }

        home ??= environment("NEAR_HOME") is { Length: > 0 } fromEnv
            ? fromEnv
            : Path.Combine(environment("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".near");
        return new SimArguments(CliAction.Run, home, bootNodes, RpcAddr: rpcAddr, CatchUpAfterSwapBlocks: catchUpBlocks);
    }

    private static SimArguments Fail(string error) => new(CliAction.Error, "", null, error);

    private static (string Name, string? Value) Split(string arg)
    {
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        return arg.StartsWith("--", StringComparison.Ordinal) && equals > 0 ? (arg[..equals], arg[(equals + 1)..]) : (arg, null);
    }
}
