namespace DeepMap.Cli;

/// <summary>Defaults read once from the environment: DEEPMAP_API, DEEPMAP_TOKEN, and DEEPMAP_HOME (where local clusters live).</summary>
public sealed record CliSettings(string Api, string? Token, string Home)
{
    public static CliSettings FromEnvironment() => new(
        Environment.GetEnvironmentVariable("DEEPMAP_API") ?? "http://127.0.0.1:8080",
        Environment.GetEnvironmentVariable("DEEPMAP_TOKEN"),
        Path.GetFullPath(Environment.GetEnvironmentVariable("DEEPMAP_HOME") ?? ".deepmap"));
}
