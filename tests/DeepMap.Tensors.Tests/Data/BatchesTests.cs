using DeepMap.Tensors.Data;
using DeepMap.Tensors.Tests.Support;

namespace DeepMap.Tensors.Tests.Data;

public sealed class BatchesTests
{
    [Fact]
    public void An_epoch_order_depends_only_on_seed_and_epoch()
    {
        Assert.Equal(Batches.Order(100, seed: 3, epoch: 2), Batches.Order(100, seed: 3, epoch: 2));
        Assert.NotEqual(Batches.Order(100, seed: 3, epoch: 2), Batches.Order(100, seed: 3, epoch: 3));
        Assert.NotEqual(Batches.Order(100, seed: 3, epoch: 2), Batches.Order(100, seed: 4, epoch: 2));
        Assert.Equal(Enumerable.Range(0, 100), Batches.Order(100, seed: 3, epoch: 2).Order());
        Assert.Equal(Enumerable.Range(0, 10), Batches.Order(10, seed: 3, epoch: 2, shuffle: false));
    }

    [Fact]
    public void Batches_cover_every_sample_once_with_rows_kept_together()
    {
        var backend = TestBackends.SingleThread;
        var x = Tensor.FromArray(backend, Enumerable.Range(0, 20).Select(i => (float)i).ToArray(), 10, 2);
        var y = Tensor.FromArray(backend, Enumerable.Range(0, 10).Select(i => (float)i).ToArray(), 10);
        var batches = Batches.Of(x, y, batchSize: 4, seed: 1, epoch: 0).ToList();
        Assert.Equal([4, 4, 2], batches.Select(b => b.X.Shape[0]));
        var labels = batches.SelectMany(b => b.Y.ToArray()).ToArray();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), labels.Order());
        foreach (var (bx, by) in batches)
        {
            var features = bx.ToArray();
            var targets = by.ToArray();
            for (var i = 0; i < targets.Length; i++) Assert.Equal([2 * targets[i], 2 * targets[i] + 1], features.AsSpan(2 * i, 2).ToArray());
        }
        Assert.Equal(Batches.Order(10, 1, 0).Select(i => (float)i), labels);
    }
}
