using Knd.Commands;

return await KndCli.RunAsync(args);
