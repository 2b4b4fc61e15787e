using System.Runtime.InteropServices;

namespace DeepMap.Cli.Local;

/// <summary>
/// SIGTERM through libc's kill(2), so stopping a local cluster needs no `kill` binary (slim images lack procps).
/// .NET itself only offers SIGKILL (Process.Kill), which skips the node's graceful leave.
/// </summary>
public static partial class UnixSignal
{
    private const int SigTerm = 15;
    private const int NoSuchProcess = 3; // ESRCH

    public static void Terminate(int pid)
    {
        if (Kill(pid, SigTerm) != 0 && Marshal.GetLastPInvokeError() is var errno and not NoSuchProcess)
            throw new CliException($"cannot send SIGTERM to process {pid}: {Marshal.GetPInvokeErrorMessage(errno)}", ExitCodes.BadInput);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
