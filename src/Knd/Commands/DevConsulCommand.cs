using System.CommandLine;

namespace Knd.Commands;

/// <summary><c>knd dev-consul</c>: an in-memory Consul API server for tests and the localnet.</summary>
internal static class DevConsulCommand
{
    public static Command Create()
    {
        var command = new Command("dev-consul", "Serve an in-memory, single-node Consul HTTP API for development. Not for production.");
        command.SetAction((_, _) =>
        {
            Console.Error.WriteLine("knd dev-consul: not built yet");
            return Task.FromResult(ExitCodes.Failed);
        });
        return command;
    }
}
