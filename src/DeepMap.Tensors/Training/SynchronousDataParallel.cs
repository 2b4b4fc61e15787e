using DeepMap.Tensors.Autograd;
using DeepMap.Tensors.Data;
using DeepMap.Tensors.Models;

namespace DeepMap.Tensors.Training;

/// <summary>
/// The cluster's synchronous step run in one process: every partition's gradient at the same weights, combined by
/// <see cref="GradientSum"/> in partition order, then one optimizer step. A cluster that hosts the partitions on any
/// number of nodes must end with the same weights; this is its oracle.
/// </summary>
public sealed class SynchronousDataParallel
{
    private readonly Sequential _model;
    private readonly float[] _features;
    private readonly float[] _targets;
    private readonly int[] _featureShape;
    private readonly int[] _targetShape;
    private readonly Tensor _sum;
    private readonly Tensor _partitionGradient;

    public SynchronousDataParallel(Sequential model, Tensor x, Tensor y, DataParallelPlan plan)
    {
        if (model.Optimizer is null) throw new InvalidOperationException("compile the model before training it");
        if (x.Shape[0] != plan.Rows || y.Shape[0] != plan.Rows)
            throw new ArgumentException($"the plan has {plan.Rows} rows; x has {x.Shape[0]} and y {y.Shape[0]}");
        _model = model;
        Plan = plan;
        _features = x.ToArray();
        _targets = y.ToArray();
        _featureShape = x.Shape[1..];
        _targetShape = y.Shape[1..];
        var length = ParameterVector.Length(model.Parameters);
        _sum = Tensor.Empty(model.Backend, length).Keep();
        _partitionGradient = Tensor.Empty(model.Backend, length).Keep();
    }

    public DataParallelPlan Plan { get; }

    /// <summary>One synchronous step at (epoch, step of the epoch); returns the sample-weighted mean loss.</summary>
    public double Step(int epoch, int step)
    {
        var backend = _model.Backend;
        var globalStep = (long)epoch * Plan.StepsPerEpoch + step;
        var batches = Enumerable.Range(0, Plan.Partitions).Select(k => Plan.BatchRows(k, epoch, step)).ToArray();
        var total = batches.Sum(b => b.Length);
        backend.Fill(_sum.Storage, 0);
        double loss = 0;
        for (var k = 0; k < Plan.Partitions; k++)
        {
            if (batches[k].Length == 0) continue;
            _model.RandomStream = Plan.RandomStream(globalStep, k);
            using (TensorScope.Open())
            {
                var partitionLoss = _model.ComputeGradients(
                    Batches.Gather(backend, _features, _featureShape, batches[k]), Batches.Gather(backend, _targets, _targetShape, batches[k]));
                loss += GradientSum.Weight(batches[k].Length, total) * partitionLoss;
            }
            ParameterVector.ReadGradients(_model.Parameters, _partitionGradient);
            _model.ZeroGrad();
            GradientSum.Accumulate(backend, _partitionGradient.Storage, _sum.Storage, _sum.Size, batches[k].Length, total);
        }
        ParameterVector.WriteGradients(_model.Parameters, _sum);
        _model.ApplyGradients();
        return loss;
    }

    /// <summary>Runs whole epochs from the model's current epoch; returns the mean loss of each.</summary>
    public double[] Train(int epochs)
    {
        var losses = new double[epochs];
        for (var e = 0; e < epochs; e++)
        {
            var epoch = _model.EpochsDone;
            double sum = 0;
            for (var s = 0; s < Plan.StepsPerEpoch; s++) sum += Step(epoch, s);
            losses[e] = sum / Plan.StepsPerEpoch;
            _model.EpochsDone++;
        }
        return losses;
    }
}
