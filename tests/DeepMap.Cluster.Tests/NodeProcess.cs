using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace DeepMap.Cluster.Tests;

/// <summary>
/// A coordinator or worker executable started as a real process with DEEPMAP_* settings; killed on dispose. Its output
/// (stdout and stderr, line by line) is kept in memory, but bounded: the first <see cref="HeadLines"/> lines (how the
/// node started: its settings, its address) and the last <see cref="TailLines"/>, with one line in between saying how
/// many were dropped — a node stuck in an error loop would otherwise fill the test host's memory.
/// </summary>
public sealed partial class NodeProcess : IDisposable
{
    private const int HeadLines = 200;
    private const int TailLines = 2000;
    private const int MaxLineLength = 10_000;

    private readonly Process _process;
    private readonly Lock _lock = new();
    private readonly List<string> _head = new(HeadLines);
    private readonly Queue<string> _tail = new();
    private long _dropped;

    private NodeProcess(Process process) => _process = process;

    public string Output
    {
        get
        {
            lock (_lock)
            {
                var output = new StringBuilder();
                foreach (var line in _head) output.AppendLine(line);
                if (_dropped > 0) output.AppendLine($"[NodeProcess: {_dropped} line(s) dropped here; the first {HeadLines} and the last {TailLines} are kept]");
                foreach (var line in _tail) output.AppendLine(line);
                return output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Waits for the process to end and for its output to be read to the end.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return false;
        _process.WaitForExit();
        return true;
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>SIGTERM, as `docker stop` or a Kubernetes eviction: the node may leave gracefully. Sent through libc's kill(2), so no procps is needed.</summary>
    public void Terminate()
    {
        const int sigTerm = 15, noSuchProcess = 3;
        if (Kill(_process.Id, sigTerm) != 0 && Marshal.GetLastPInvokeError() is var errno and not noSuchProcess)
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM): {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>SIGKILL, as a crashed or pulled machine.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <param name="netns">A Linux network namespace (<see cref="NetworkNamespace"/>) to run the node in, through
    /// `ip netns exec` (which execs dotnet, so the process is the node itself); null: this process's namespace.</param>
    public static NodeProcess Start(string project, IReadOnlyDictionary<string, string> environment, string? netns = null)
    {
        var dll = Path.Combine(Repository.Root, "src", project, "bin", Repository.Configuration, "net10.0", project + ".dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is not built; run ./test.sh (it builds the solution first)");
        var info = netns is null ? new ProcessStartInfo("dotnet", [dll]) : new ProcessStartInfo("ip", ["netns", "exec", netns, "dotnet", dll]);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("DEEPMAP_", StringComparison.Ordinal)).ToArray()) info.Environment.Remove(key);
        foreach (var (key, value) in environment) info.Environment[key] = value;
        var node = new NodeProcess(Process.Start(info)!);
        node._process.OutputDataReceived += (_, e) => node.Append(e.Data);
        node._process.ErrorDataReceived += (_, e) => node.Append(e.Data);
        node._process.BeginOutputReadLine();
        node._process.BeginErrorReadLine();
        return node;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        if (line.Length > MaxLineLength) line = $"{line[..MaxLineLength]}… [NodeProcess: {line.Length - MaxLineLength} more characters dropped]";
        lock (_lock)
        {
            if (_head.Count < HeadLines)
            {
                _head.Add(line);
                return;
            }
            _tail.Enqueue(line);
            if (_tail.Count > TailLines)
            {
                _tail.Dequeue();
                _dropped++;
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
        _process.Dispose();
    }
}
