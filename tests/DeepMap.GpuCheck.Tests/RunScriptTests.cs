using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace DeepMap.GpuCheck.Tests;

/// <summary>
/// bench/gpu/run.sh, as a GPU machine runs it but on ILGPU's CPU emulation with small sizes (DEEPMAP_DEVICE=ilgpu-cpu)
/// and the built program instead of the published one, so the script and the check cannot rot without a GPU.
/// </summary>
public sealed class RunScriptTests
{
    private static readonly string[] s_results =
        ["launch_sync", "launch_async", "device_copy_bw", "elementwise_add_bw", "elementwise_relu_bw", "elementwise_scale_bw", "sgemm_32", "sgemm_64", "mlp_step", "cnn_step"];

    [Fact]
    public void Run_sh_on_cpu_emulation_passes_conformance_and_prints_every_result()
    {
        var (exitCode, output) = RunScript();

        Assert.True(exitCode == 0, $"run.sh exited {exitCode}:\n{output}");
        Assert.Contains("DEVICE ilgpu-cpu", output);
        Assert.Contains("CONFORMANCE PASS", output);
        Assert.DoesNotContain("MISMATCH", output);
        var results = output.Split('\n')
            .Select(line => line.Trim().Split(' '))
            .Where(f => f.Length == 4 && f[0] == "RESULT")
            .ToDictionary(f => f[1], f => double.Parse(f[2], CultureInfo.InvariantCulture));
        foreach (var name in s_results)
            Assert.True(results.TryGetValue(name, out var value) && double.IsFinite(value) && value > 0, $"no positive RESULT {name}:\n{output}");
        Assert.Contains("INFO cnn_step transfers_per_step uploads 0 downloads 2", output);
        Assert.Contains("GPUCHECK done WITHOUT a GPU", output);
    }

    private static (int ExitCode, string Output) RunScript()
    {
        var root = RepositoryRoot();
        var program = Path.Combine(AppContext.BaseDirectory, "DeepMap.GpuCheck.dll");
        Assert.True(File.Exists(program), $"{program} was not copied beside the tests");
        var dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var start = new ProcessStartInfo("bash", [Path.Combine(root, "bench", "gpu", "run.sh")])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DEEPMAP_DEVICE"] = "ilgpu-cpu";
        start.Environment["DEEPMAP_GPUCHECK"] = $"{dotnet} {program}";
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // A guard against a hang, not a timing assertion: the script itself stops the program after 240 s.
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"run.sh did not finish:\n{output}");
        }
        process.WaitForExit();
        lock (output) return (process.ExitCode, output.ToString());
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DeepMap.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no DeepMap.sln above {AppContext.BaseDirectory}");
    }
}
