namespace DeepMap.Tensors.Optimizers;

/// <summary>p −= lr·(g + weightDecay·p).</summary>
public sealed class Sgd(double learningRate = 0.01, double weightDecay = 0) : Optimizer(learningRate)
{
    public double WeightDecay { get; } = weightDecay >= 0 ? weightDecay : throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "must not be negative");

    protected override string[] SlotNames => [];

    protected override void Update(Tensor parameter, Tensor gradient, Tensor[] slots) =>
        parameter.Backend.SgdStep(parameter.Storage, gradient.Storage, parameter.Size, LearningRate, WeightDecay);

    public override OptimizerSpec ToSpec() => new SgdSpec(LearningRate, WeightDecay);
}
