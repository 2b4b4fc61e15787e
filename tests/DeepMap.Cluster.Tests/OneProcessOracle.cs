using DeepMap.Coordinator.Training;
using DeepMap.Protocol.Jobs;
using DeepMap.Tensors.Backends.Cpu;
using DeepMap.Tensors.Models;
using DeepMap.Tensors.Training;

namespace DeepMap.Cluster.Tests;

/// <summary>
/// What a synchronous job must end with: the same data, partitions and summation order run by DeepMap.Tensors alone
/// in this process.
/// </summary>
internal static class OneProcessOracle
{
    /// <summary>The oracle's accuracy on the job's test set: what a synchronous run of the job reaches.</summary>
    public static double TestAccuracy(string specText, IReadOnlyList<string> dataRoots) => TestAccuracy(Train(specText, dataRoots), specText, dataRoots);

    public static double TestAccuracy(Sequential trained, string specText, IReadOnlyList<string> dataRoots)
    {
        var data = JobData.Load(new JobSpecValidator(new DataRoots(dataRoots)).Validate(JobSpecParser.Parse(specText)));
        var backend = new CpuBackend(2);
        return trained.Evaluate(data.Test.FeaturesTensor(backend), data.Test.TargetsTensor(backend)).Metrics["accuracy"];
    }

    public static Sequential Train(string specText, IReadOnlyList<string> dataRoots)
    {
        var job = new JobSpecValidator(new DataRoots(dataRoots)).Validate(JobSpecParser.Parse(specText));
        var data = JobData.Load(job);
        var backend = new CpuBackend(2);
        var model = Sequential.FromSpec(job.Spec.Model, job.Spec.Seed, backend);
        model.Compile(job.Spec.Optimizer.Create(), job.Spec.Loss, [.. job.Spec.Metrics]);
        var plan = new DataParallelPlan(data.Train.Rows, job.Spec.Partitions, job.Spec.BatchSize, job.Spec.Seed);
        new SynchronousDataParallel(model, data.Train.FeaturesTensor(backend), data.Train.TargetsTensor(backend), plan).Train(job.Spec.Epochs);
        return model;
    }
}
