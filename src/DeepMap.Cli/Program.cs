using DeepMap.Cli;

using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupt.Cancel();
};
return await CliApp.RunAsync(args, Console.Out, Console.Error, CliSettings.FromEnvironment(), interrupt.Token);
