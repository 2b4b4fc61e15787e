namespace DeepMap.Cluster.Tests.Deploy;

/// <summary>What the tests read from a Dockerfile's final stage: its ENV settings and its HEALTHCHECK command.</summary>
internal sealed record Dockerfile(IReadOnlyDictionary<string, string> Environment, string HealthCheck)
{
    public static Dockerfile Read(string name)
    {
        var text = File.ReadAllText(Path.Combine(Repository.Root, "deploy", name)).Replace("\\\n", " ");
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        var final = lines.Skip(Array.FindLastIndex(lines, l => l.StartsWith("FROM ", StringComparison.Ordinal))).ToArray();
        var environment = new Dictionary<string, string>();
        foreach (var line in final.Where(l => l.StartsWith("ENV ", StringComparison.Ordinal)))
            foreach (var pair in line["ENV ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=');
                Assert.True(eq > 0, $"{name}: ENV '{pair}' is not KEY=VALUE");
                environment[pair[..eq]] = pair[(eq + 1)..];
            }
        var health = final.SingleOrDefault(l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal)) ?? "";
        return new Dockerfile(environment, health);
    }
}
