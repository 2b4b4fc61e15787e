using DeepMap.Protocol.Jobs;
using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Models;
using DeepMap.Tensors.Training;

namespace DeepMap.Coordinator.Training;

/// <summary>
/// What a job's training starts from: its data, the compiled model, the flat state the parameter-server shards are
/// seeded with, and the checkpoint it goes on from — for a new job the seed's model and empty optimizer slots; for a
/// job whose coordinator stopped, its checkpoint's weights, every optimizer slot and its cursors.
/// </summary>
public sealed record TrainingStart(JobData Data, DataParallelPlan Plan, Sequential Model, float[][] State, TrainingCheckpoint Checkpoint, bool FromCheckpoint)
{
    /// <summary>Loads it all; bad data or a bad checkpoint throw IOException, InvalidDataException, FormatException or ArgumentException.</summary>
    public static TrainingStart Load(ValidatedJob job, string checkpointPath, IBackend backend)
    {
        var spec = job.Spec;
        var data = JobData.Load(job);
        var plan = new DataParallelPlan(data.Train.Rows, spec.Partitions, spec.BatchSize, spec.Seed);
        if (File.Exists(checkpointPath))
        {
            var (resumed, checkpoint) = TrainingCheckpoint.Read(checkpointPath, backend, spec.Partitions);
            return new TrainingStart(data, plan, resumed, FlatTrainingState.Read(resumed), checkpoint, FromCheckpoint: true);
        }
        var model = Sequential.FromSpec(spec.Model, spec.Seed, backend);
        model.Compile(spec.Optimizer.Create(), spec.Loss, [.. spec.Metrics]);
        var weights = new float[ParameterVector.Length(model.Parameters)];
        ParameterVector.ReadValues(model.Parameters, weights);
        return new TrainingStart(data, plan, model, [weights], TrainingCheckpoint.Start(spec.Partitions), FromCheckpoint: false);
    }
}
