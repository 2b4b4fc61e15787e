namespace DeepMap.Tensors.Optimizers;

/// <summary>
/// Adam with bias correction; a weight decay is decoupled from the gradient (AdamW), which regularizes as intended
/// where L2-in-the-gradient would be rescaled by the adaptive step.
/// </summary>
public sealed class Adam(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, double weightDecay = 0) : Optimizer(learningRate)
{
    public double Beta1 { get; } = beta1 is >= 0 and < 1 ? beta1 : throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1)");

    public double Beta2 { get; } = beta2 is >= 0 and < 1 ? beta2 : throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1)");

    public double Epsilon { get; } = epsilon > 0 ? epsilon : throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be positive");

    public double WeightDecay { get; } = weightDecay >= 0 ? weightDecay : throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "must not be negative");

    protected override string[] SlotNames => ["m", "v"];

    protected override void Update(Tensor parameter, Tensor gradient, Tensor[] slots) =>
        parameter.Backend.AdamStep(parameter.Storage, gradient.Storage, slots[0].Storage, slots[1].Storage, parameter.Size,
            LearningRate, Beta1, Beta2, Epsilon, WeightDecay, Steps);

    public override OptimizerSpec ToSpec() => new AdamSpec(LearningRate, Beta1, Beta2, Epsilon, WeightDecay);
}
