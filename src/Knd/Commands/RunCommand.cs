using System.CommandLine;

namespace Knd.Commands;

/// <summary><c>knd run</c>: the failover daemon.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var command = new Command("run", "Run the failover daemon for one validator host.");
        command.SetAction((_, _) =>
        {
            Console.Error.WriteLine("knd run: not built yet");
            return Task.FromResult(ExitCodes.Failed);
        });
        return command;
    }
}
