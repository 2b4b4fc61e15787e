namespace DeepMap.Tensors.Autograd;

/// <summary>Whether ops record the graph on this thread; evaluation and prediction turn it off.</summary>
public static class GradMode
{
    [ThreadStatic] private static int t_disabled;

    public static bool IsEnabled => t_disabled == 0;

    public static IDisposable Disable()
    {
        t_disabled++;
        return new Restore();
    }

    /// <summary>Disable without the IDisposable (no allocation); pair with <see cref="Exit"/> in a finally.</summary>
    internal static void Enter() => t_disabled++;

    internal static void Exit() => t_disabled--;

    private sealed class Restore : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            t_disabled--;
        }
    }
}
