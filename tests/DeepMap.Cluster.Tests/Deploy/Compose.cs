using System.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace DeepMap.Cluster.Tests.Deploy;

/// <summary>
/// The compose files as Compose itself reads them: `docker-compose config` (Debian's docker-compose, which needs no
/// Docker engine) validates them and prints the normalized model — env files merged into `environment`, variables
/// interpolated, paths made absolute — which the tests read with YamlDotNet.
/// </summary>
internal static class Compose
{
    /// <summary>The token the tests' env file gives, standing in for the user's deepmap.env.</summary>
    public const string Token = "compose-test-token";

    public static string ExamplesData => Path.Combine(Repository.Root, "examples", "data");

    /// <summary>Runs `docker-compose -f FILE… config` with a test env file and examples/data as the data folder.</summary>
    public static YamlMappingNode Config(params string[] files)
    {
        var envFile = Path.Combine(Path.GetTempPath(), $"deepmap-compose-{Guid.NewGuid():N}.env");
        File.WriteAllText(envFile, $"DEEPMAP_TOKEN={Token}\n");
        try
        {
            var (code, output, error) = Run(files, envFile);
            Assert.True(code == 0, $"docker-compose {string.Join(" ", files)} config failed ({code}):\n{error}\n{output}");
            var yaml = new YamlStream();
            yaml.Load(new StringReader(output));
            return (YamlMappingNode)yaml.Documents[0].RootNode;
        }
        finally
        {
            File.Delete(envFile);
        }
    }

    private static (int Code, string Output, string Error) Run(string[] files, string envFile)
    {
        var info = new ProcessStartInfo("docker-compose") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repository.Root };
        foreach (var file in files)
        {
            info.ArgumentList.Add("-f");
            info.ArgumentList.Add(file);
        }
        info.ArgumentList.Add("config");
        info.Environment["DEEPMAP_ENV_FILE"] = envFile;
        info.Environment["DEEPMAP_DATA_DIR"] = ExamplesData;
        info.Environment.Remove("DEEPMAP_TAG");
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Fail("docker-compose is not installed: these tests validate docker-compose.yml with it (no Docker engine needed). "
                        + "Install it with `apt-get install -y docker-compose` (.ci/run does).");
            throw;
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(60_000)) process.Kill();
            return (process.ExitCode, output.Result, error.Result);
        }
    }

    public static YamlMappingNode Service(this YamlMappingNode config, string name) => config.Map("services").Map(name);

    public static YamlMappingNode Map(this YamlMappingNode node, string key)
    {
        Assert.True(node.Children.TryGetValue(new YamlScalarNode(key), out var child), $"no '{key}' in:\n{Dump(node)}");
        return Assert.IsType<YamlMappingNode>(child);
    }

    public static YamlSequenceNode Seq(this YamlMappingNode node, string key)
    {
        Assert.True(node.Children.TryGetValue(new YamlScalarNode(key), out var child), $"no '{key}' in:\n{Dump(node)}");
        return Assert.IsType<YamlSequenceNode>(child);
    }

    public static string? Text(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? ((YamlScalarNode)child).Value : null;

    public static bool Has(this YamlMappingNode node, string key) => node.Children.ContainsKey(new YamlScalarNode(key));

    public static IReadOnlyDictionary<string, string> Environment(this YamlMappingNode service) =>
        service.Map("environment").Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value ?? "");

    public static string Dump(YamlNode node)
    {
        var writer = new StringWriter();
        new YamlStream(new YamlDocument(node)).Save(writer, assignAnchors: false);
        return writer.ToString();
    }
}
