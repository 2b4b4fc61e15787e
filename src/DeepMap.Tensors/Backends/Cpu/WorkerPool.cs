namespace DeepMap.Tensors.Backends.Cpu;

/// <summary>A part of a parallel loop: rows [start, end) of work described by a state value (no closure to allocate).</summary>
internal delegate void ChunkBody<TState>(in TState state, int start, int end);

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
    private IJob? _body;
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
    public void For(int count, Action<int, int> body) =>
        For(count, body, static (in Action<int, int> b, int start, int end) => b(start, end));

    /// <summary>
    /// As <see cref="For(int, Action{int, int})"/> with the body's data passed as a value and a static body, so a call
    /// allocates nothing: the state is parked in this thread's reusable job object while the parts run.
    /// </summary>
    public void For<TState>(int count, in TState state, ChunkBody<TState> body)
    {
        if (count <= 0) return;
        if (Threads == 1 || count == 1 || t_inside || !_gate.TryEnter())
        {
            body(state, 0, count);
            return;
        }
        var job = Job<TState>.Rent(state, body);
        try
        {
            var parts = Math.Min(Threads, count);
            _body = job;
            _count = count;
            _parts = parts;
            _failure = null;
            Volatile.Write(ref _pending, parts - 1);
            for (var p = 1; p < parts; p++) _go[p - 1].Set();
            Exception? own = null;
            t_inside = true;
            try
            {
                body(job.State, 0, count / parts);
            }
            catch (Exception e)
            {
                own = e;
            }
            finally
            {
                t_inside = false;
            }
            // Even when this thread's part threw, the workers' parts still read the job: wait for them before the
            // job is returned and the pool is free for the next caller.
            var spin = new SpinWait();
            while (Volatile.Read(ref _pending) != 0) spin.SpinOnce(sleep1Threshold: -1);
            _body = null;
            if (own is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(own);
            if (_failure is not null) throw new AggregateException(_failure);
        }
        finally
        {
            job.Return();
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
                _body!.Run(start, end);
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

    private interface IJob
    {
        void Run(int start, int end);
    }

    /// <summary>One per calling thread and state type, reused; a nested call on the same thread gets a fresh one.</summary>
    private sealed class Job<TState> : IJob
    {
        [ThreadStatic] private static Job<TState>? t_free;

        public TState State = default!;
        private ChunkBody<TState>? _body;

        public static Job<TState> Rent(in TState state, ChunkBody<TState> body)
        {
            var job = t_free ?? new Job<TState>();
            t_free = null;
            job.State = state;
            job._body = body;
            return job;
        }

        public void Return()
        {
            State = default!;
            _body = null;
            t_free = this;
        }

        public void Run(int start, int end) => _body!(State, start, end);
    }
}
