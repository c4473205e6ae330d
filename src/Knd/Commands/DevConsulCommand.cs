using System.CommandLine;
using Knd.Consul;
using Knd.DevConsul;
using Serilog;
using Serilog.Events;
using Serilog.Extensions.Logging;

namespace Knd.Commands;

/// <summary><c>knd dev-consul</c>: an in-memory Consul API server for tests and the localnet.</summary>
internal static class DevConsulCommand
{
    private const string Warning =
        "WARNING: knd dev-consul is an in-memory imitation of Consul's HTTP API for tests and development. " +
        "It keeps nothing on disk, has one node and no replication, and is NOT Consul. Never use it in production.";

    public static Command Create()
    {
        var listen = new Option<string>("--listen")
        {
            Description = "HOST:PORT to listen on; port 0 picks a free port.",
            DefaultValueFactory = _ => "127.0.0.1:8500",
        };
        var aclToken = new Option<string?>("--acl-token")
        {
            Description = "Require this ACL token on every endpoint but /v1/status/* (403 otherwise).",
        };
        var ttlMin = new Option<string>("--session-ttl-min")
        {
            Description = "Consul's session_ttl_min: the shortest session TTL accepted (Go duration).",
            DefaultValueFactory = _ => "10s",
        };
        var nodeName = new Option<string>("--node-name")
        {
            Description = "The name of the single node; sessions can only be created for it.",
            DefaultValueFactory = _ => DevConsulOptions.DefaultNodeName,
        };
        var blackhole = new Option<string[]>("--blackhole")
        {
            Description = "Start with this client (its X-Knd-Node) cut off, as PUT /_dev/blackhole would; repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("dev-consul", "Serve an in-memory, single-node Consul HTTP API for development. Not for production.")
        {
            listen,
            aclToken,
            ttlMin,
            nodeName,
            blackhole,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(listen)!,
            parse.GetValue(aclToken),
            parse.GetValue(ttlMin)!,
            parse.GetValue(nodeName)!,
            parse.GetValue(blackhole) ?? [],
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string listen, string? aclToken, string ttlMin, string nodeName, string[] blackholed, CancellationToken cancellationToken)
    {
        if (!ListenAddress.TryParse(listen, out var endPoint, out var listenError))
        {
            return Usage($"--listen: {listenError}");
        }

        if (!GoDuration.TryParse(ttlMin, out var ttlMinNs, out var ttlError) || ttlMinNs <= 0)
        {
            return Usage($"--session-ttl-min: '{ttlMin}' is not a positive duration such as 10s{(ttlError.Length > 0 ? $" ({ttlError})" : string.Empty)}");
        }

        if (string.IsNullOrWhiteSpace(nodeName))
        {
            return Usage("--node-name: must not be empty");
        }

        if (aclToken is { Length: 0 })
        {
            return Usage("--acl-token: must not be empty");
        }

        if (blackholed.Any(string.IsNullOrWhiteSpace))
        {
            return Usage("--blackhole: needs a node name (the client's X-Knd-Node)");
        }

        await Console.Error.WriteLineAsync(Warning);
        using var serilog = new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)

            // A failed start is reported on one line below; the host's own log of it is a stack trace.
            .MinimumLevel.Override("Microsoft.Extensions.Hosting", LogEventLevel.Fatal)
            .WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose, outputTemplate: "{Timestamp:HH:mm:ss.fff} [{Level:u3}] {Message:lj}{NewLine}{Exception}")
            .CreateLogger();
        using var loggerFactory = new SerilogLoggerFactory(serilog);
        var options = new DevConsulOptions
        {
            Listen = endPoint,
            AclToken = aclToken,
            SessionTtlMin = GoDuration.ToTimeSpan(ttlMinNs),
            NodeName = nodeName,
            Blackholed = blackholed,
            LoggerFactory = loggerFactory,
        };

        try
        {
            await using var server = await DevConsulServer.StartAsync(options, cancellationToken);

            // Tests and knd localnet parse this exact line to learn the port.
            await Console.Out.WriteLineAsync($"dev-consul listening on {server.BaseAddress.GetLeftPart(UriPartial.Authority)}");
            await Console.Out.FlushAsync(cancellationToken);
            await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // SIGINT/SIGTERM: the server was disposed on the way out.
        }
        catch (IOException ex)
        {
            await Console.Error.WriteLineAsync($"knd dev-consul: cannot listen on {listen}: {ex.Message}");
            return ExitCodes.Failed;
        }

        return ExitCodes.Ok;
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"knd dev-consul: {message}");
        return ExitCodes.Usage;
    }
}
