namespace DeepMap.Worker.Partitions;

/// <summary>
/// One per worker node: the partitions it hosts take turns on its accelerator. The backend already spreads each op
/// over the node's threads (DEEPMAP_THREADS) or the GPU's cores; two partitions computing at once would only
/// oversubscribe it, and would make DEEPMAP_THREADS=1 use a core per partition.
/// </summary>
public sealed class DeviceTurns
{
    private readonly SemaphoreSlim _turn = new(1, 1);

    /// <summary>Waits for the device and runs <paramref name="compute"/> alone on it.</summary>
    public async Task<T> Run<T>(Func<T> compute)
    {
        await _turn.WaitAsync();
        try
        {
            return compute();
        }
        finally
        {
            _turn.Release();
        }
    }
}
