using System.CommandLine;
using DeepMap.Cli.Commands;

namespace DeepMap.Cli;

/// <summary>
/// The deepmap command tree. Every command takes --api, --token and --json; errors are one line on stderr and an
/// exit code: 0 ok, 1 job failed or cancelled, 2 bad usage or refused input, 3 coordinator unreachable.
/// </summary>
public static class CliApp
{
    public static RootCommand Create(GlobalOptions globals, TextWriter output)
    {
        var root = new RootCommand("deepmap: train neural networks on a cluster of .NET machines.\nexample: deepmap demo")
        {
            ClusterCommands.Create(globals, output),
            JobCommandSet.Create(globals, output),
            LocalCommands.Create(globals, output),
            DemoCommand.Create(globals, output),
        };
        globals.AddTo(root);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CliSettings settings, CancellationToken cancellation = default)
    {
        var parsed = Create(new GlobalOptions(settings), output).Parse(args);
        if (parsed.Errors.Count > 0)
        {
            await error.WriteLineAsync($"deepmap: {parsed.Errors[0].Message} (try --help)");
            return ExitCodes.BadInput;
        }
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, cancellation);
        }
        catch (CliException e)
        {
            await error.WriteLineAsync($"deepmap: {e.Message}");
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("deepmap: interrupted");
            return ExitCodes.JobFailed;
        }
    }
}

/// <summary>The options every command takes.</summary>
public sealed class GlobalOptions(CliSettings settings)
{
    public CliSettings Settings { get; } = settings;

    public Option<string> Api { get; } = new("--api")
    {
        Description = "the coordinator's URL (default DEEPMAP_API or http://127.0.0.1:8080)",
        DefaultValueFactory = _ => settings.Api,
        Recursive = true,
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = "bearer token for a coordinator that requires one (default DEEPMAP_TOKEN)",
        DefaultValueFactory = _ => settings.Token,
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json") { Description = "machine-readable JSON output", Recursive = true };

    public void AddTo(Command root)
    {
        root.Options.Add(Api);
        root.Options.Add(Token);
        root.Options.Add(Json);
    }

    public ApiClient Client(ParseResult parsed) => new(parsed.GetValue(Api)!, parsed.GetValue(Token));
}
