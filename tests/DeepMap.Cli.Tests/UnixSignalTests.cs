using System.Diagnostics;
using DeepMap.Cli.Local;

namespace DeepMap.Cli.Tests;

public sealed class UnixSignalTests
{
    [Fact]
    public void Terminate_sends_SIGTERM()
    {
        using var sleeper = Process.Start("sleep", "600");
        try
        {
            UnixSignal.Terminate(sleeper.Id);
            Assert.True(sleeper.WaitForExit(TimeSpan.FromSeconds(30)), "sleep still runs after Terminate");
            // .NET gives a child that a signal ended the exit code 128 + the signal: 143 for SIGTERM (15), not 137 (SIGKILL).
            Assert.Equal(143, sleeper.ExitCode);
        }
        finally
        {
            if (!sleeper.HasExited) sleeper.Kill();
        }
    }
}
