using DeepMap.Coordinator.Training;
using DeepMap.Tensors.Backends.Cpu;
using DeepMap.Tensors.Layers;
using DeepMap.Tensors.Models;
using DeepMap.Tensors.Optimizers;
using DeepMap.Tensors.Training;

namespace DeepMap.Coordinator.Tests.Training;

public sealed class TrainingCheckpointTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("deepmap-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Sequential Model()
    {
        var backend = new CpuBackend(1);
        var model = new Sequential([3], seed: 7, backend);
        model.Add(new Dense(2));
        model.Compile(new Adam(0.01), Loss.MeanSquaredError);
        return model;
    }

    [Fact]
    public void A_checkpoint_gives_back_its_cursors_and_the_models_flat_state_bit_for_bit()
    {
        var model = Model();
        float[][] state = [.. FlatTrainingState.Read(model).Select((slot, j) => slot.Select((_, i) => j + i * 0.125f).ToArray())];
        FlatTrainingState.Write(model, j => state[j], optimizerSteps: 42);
        var path = Path.Combine(_directory, "checkpoint.safetensors");

        new TrainingCheckpoint(17, 1.25, 3, "Accuracy:1.5:4", [17, 16]).Write(path, model);
        var (read, checkpoint) = TrainingCheckpoint.Read(path, new CpuBackend(1), partitions: 2);

        Assert.Equal((17L, 1.25, 3, "Accuracy:1.5:4"), (checkpoint.Step, checkpoint.EpochLossSum, checkpoint.EpochSteps, checkpoint.EpochMetrics));
        Assert.Equal([17L, 16L], checkpoint.PartitionSteps);
        Assert.Equal(42, read.Optimizer!.Steps);
        var back = FlatTrainingState.Read(read);
        Assert.Equal(state.Length, back.Length);
        for (var j = 0; j < state.Length; j++) Assert.Equal(state[j], back[j]);
    }

    [Fact]
    public void A_checkpoint_of_a_job_with_other_partitions_is_refused_naming_the_file()
    {
        var path = Path.Combine(_directory, "checkpoint.safetensors");
        new TrainingCheckpoint(1, 0, 0, "", [1, 1, 1]).Write(path, Model());

        var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Read(path, new CpuBackend(1), partitions: 2));
        Assert.Equal($"{path}: 'deepmap.partition_steps' has 3 partitions; the job has 2", e.Message);
    }
}
