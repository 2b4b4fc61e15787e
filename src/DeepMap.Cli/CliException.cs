namespace DeepMap.Cli;

/// <summary>A failure the user should read as one line, with the exit code it maps to.</summary>
public sealed class CliException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
