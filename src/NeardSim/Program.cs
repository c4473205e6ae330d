using NeardSim.Cli;

return await SimCli.RunAsync(args);
