using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Backends.Ilgpu;
using DeepMap.Tensors.Models;
using DeepMap.Tensors.Tests.Support;

namespace DeepMap.Tensors.Tests.Backends.Conformance;

/// <summary>The conformance suite plus what only a device backend must show: that data stays on the device.</summary>
public abstract class IlgpuConformanceTests : BackendConformanceTests
{
    protected abstract IlgpuBackend Ilgpu { get; }

    protected sealed override IBackend Backend => Ilgpu;

    /// <summary>
    /// A kernel that fell back to the host would have to download its inputs and upload its result; a training step
    /// here copies nothing up and only the loss (with the class-index fault record read beside it) down.
    /// </summary>
    [BackendFact]
    public void A_training_step_copies_only_the_loss_to_the_host()
    {
        foreach (var (name, build, shape, classes) in new (string, Func<IBackend, Sequential>, int[], int)[] { ("mlp", SmallMlp, [20], 4), ("cnn", SmallCnn, [1, 8, 8], 3) })
        {
            var model = build(Ilgpu);
            using var x = Tensor.FromDoubles(Ilgpu, U(8 * shape.Aggregate(1, (a, b) => a * b), 1, 0, 1), [8, .. shape]);
            using var y = Tensor.FromDoubles(Ilgpu, RandomArrays.ClassIndices(8, classes, 2), 8);
            model.TrainBatch(x, y);
            var (uploads, downloads) = (Ilgpu.Uploads, Ilgpu.Downloads);
            model.TrainBatch(x, y);
            Assert.True(Ilgpu.Uploads == uploads && Ilgpu.Downloads == downloads + 2,
                $"{name}: a step made {Ilgpu.Uploads - uploads} uploads and {Ilgpu.Downloads - downloads} downloads; expected 0 and 2 (loss and fault record)");
        }
    }
}
