using System.CommandLine;

namespace DeepMap.Cli.Tests;

public sealed class HelpTests
{
    private static readonly CliRunner Cli = new(new CliSettings("http://127.0.0.1:8080", null, Path.GetTempPath()));

    /// <summary>Every command of the tree, as the words a user types before --help ("" for deepmap itself).</summary>
    public static TheoryData<string> Commands()
    {
        var commands = new TheoryData<string>();
        void Add(Command command, string path)
        {
            commands.Add(path);
            foreach (var sub in command.Subcommands) Add(sub, $"{path} {sub.Name}".Trim());
        }
        Add(CliApp.Create(new GlobalOptions(Cli.Settings), TextWriter.Null), "");
        return commands;
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Every_commands_help_shows_an_example_of_it(string command)
    {
        var (exit, output, error) = await Cli.Run([.. command.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);
        Assert.True(exit == 0, output + error);
        Assert.Contains($"example: deepmap {command}".TrimEnd(), output);
    }
}
