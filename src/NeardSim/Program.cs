Console.Error.WriteLine("neard-sim: not built yet");
return 1;
