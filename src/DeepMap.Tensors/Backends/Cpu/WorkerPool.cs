namespace DeepMap.Tensors.Backends.Cpu;

/// <summary>
/// Persistent threads that split a range of independent work items; the caller runs the first part itself.
/// Parts are contiguous ranges, and every kernel gives each output to exactly one item, so results never depend on
/// the thread count. A call made from inside a part (or while another caller holds the pool) runs inline.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    [ThreadStatic] private static bool t_inside;

    private readonly Thread[] _threads;
    private readonly ManualResetEventSlim[] _go;
    private readonly Lock _gate = new();
    private Action<int, int>? _body;
    private int _count;
    private int _parts;
    private int _pending;
    private Exception? _failure;
    private volatile bool _disposed;

    public WorkerPool(int threads)
    {
        Threads = Math.Max(1, threads);
        _threads = new Thread[Threads - 1];
        _go = new ManualResetEventSlim[Threads - 1];
        for (var i = 0; i < _threads.Length; i++)
        {
            _go[i] = new ManualResetEventSlim(false, spinCount: 2000);
            var part = i + 1;
            _threads[i] = new Thread(() => Work(part)) { IsBackground = true, Name = $"deepmap-cpu-{part}" };
            _threads[i].Start();
        }
    }

    public int Threads { get; }

    /// <summary>Runs body(start, end) over [0, count) split into at most <see cref="Threads"/> contiguous parts.</summary>
    public void For(int count, Action<int, int> body)
    {
        if (count <= 0) return;
        if (Threads == 1 || count == 1 || t_inside || !_gate.TryEnter())
        {
            body(0, count);
            return;
        }
        try
        {
            var parts = Math.Min(Threads, count);
            _body = body;
            _count = count;
            _parts = parts;
            _failure = null;
            Volatile.Write(ref _pending, parts - 1);
            for (var p = 1; p < parts; p++) _go[p - 1].Set();
            t_inside = true;
            try
            {
                body(0, count / parts);
            }
            finally
            {
                t_inside = false;
            }
            var spin = new SpinWait();
            while (Volatile.Read(ref _pending) != 0) spin.SpinOnce(sleep1Threshold: -1);
            _body = null;
            if (_failure is not null) throw new AggregateException(_failure);
        }
        finally
        {
            _gate.Exit();
        }
    }

    private void Work(int part)
    {
        t_inside = true;
        var go = _go[part - 1];
        while (true)
        {
            go.Wait();
            go.Reset();
            if (_disposed) return;
            try
            {
                var start = (int)((long)_count * part / _parts);
                var end = (int)((long)_count * (part + 1) / _parts);
                _body!(start, end);
            }
            catch (Exception e)
            {
                _failure = e;
            }
            Interlocked.Decrement(ref _pending);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var go in _go) go.Set();
    }
}
