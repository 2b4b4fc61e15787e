namespace DeepMap.Cli;

/// <summary>What the deepmap command returns, so scripts and CI can act on it.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The job failed or was cancelled.</summary>
    public const int JobFailed = 1;

    /// <summary>Bad usage, or input the coordinator refused (a spec error names the field).</summary>
    public const int BadInput = 2;

    /// <summary>The coordinator could not be reached.</summary>
    public const int Unreachable = 3;
}
