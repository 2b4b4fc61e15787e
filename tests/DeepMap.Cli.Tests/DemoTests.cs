using System.Diagnostics;

namespace DeepMap.Cli.Tests;

/// <summary>`./deepmap demo` as a user runs it: the script, a local cluster, a real dataset, then everything stopped.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task The_demo_trains_a_model_and_stops_its_cluster()
    {
        var root = CliRunner.RepositoryRoot();
        var home = Directory.CreateTempSubdirectory("deepmap-demo-").FullName;
        var info = new ProcessStartInfo(Path.Combine(root, "deepmap"),
            ["demo", "--api", $"http://127.0.0.1:{CliRunner.FreePort()}", "--port", CliRunner.FreePort().ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        info.Environment["DEEPMAP_HOME"] = home;
        using var demo = Process.Start(info)!;
        var output = demo.StandardOutput.ReadToEndAsync();
        var error = demo.StandardError.ReadToEndAsync();
        Assert.True(demo.WaitForExit(TimeSpan.FromMinutes(4)), "the demo took more than 4 minutes");
        var text = await output + await error;
        Assert.True(demo.ExitCode == 0, text);
        Assert.Contains("succeeded: test loss", text);
        Assert.Matches(@"test accuracy 0\.(8[4-9]|9)", text);
        Assert.Contains("Model: ", text);
        Assert.Contains("Local cluster stopped.", text);
        Assert.False(File.Exists(Path.Combine(home, "local.json")));
        Directory.Delete(home, recursive: true);
    }
}
