using DeepMap.Tensors.Backends.Cpu;

namespace DeepMap.Tensors.Tests.Backends;

public sealed class WorkerPoolTests
{
    [Fact]
    public void A_part_that_throws_on_the_calling_thread_still_waits_for_the_other_parts()
    {
        using var pool = new WorkerPool(2);
        var finished = 0;
        var e = Assert.Throws<InvalidOperationException>(() => pool.For(2, (start, _) =>
        {
            if (start == 0) throw new InvalidOperationException("caller's part");
            Thread.Sleep(200);
            Interlocked.Exchange(ref finished, 1);
        }));
        Assert.Equal("caller's part", e.Message);
        Assert.Equal(1, Volatile.Read(ref finished));

        // The pool is free again and runs the next loop on both threads.
        var seen = new int[4];
        pool.For(4, (start, end) =>
        {
            for (var i = start; i < end; i++) seen[i]++;
        });
        Assert.Equal([1, 1, 1, 1], seen);
    }
}
