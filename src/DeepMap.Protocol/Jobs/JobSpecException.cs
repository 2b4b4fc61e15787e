namespace DeepMap.Protocol.Jobs;

/// <summary>A job spec that cannot run, with the path of the offending field ("model.layers[1].dense.units").</summary>
public sealed class JobSpecException(string path, string message) : Exception(path.Length == 0 ? message : $"{path}: {message}")
{
    public string Path { get; } = path;

    /// <summary>The message without the path.</summary>
    public string Reason { get; } = message;
}
