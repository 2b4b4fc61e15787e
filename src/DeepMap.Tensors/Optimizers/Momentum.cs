namespace DeepMap.Tensors.Optimizers;

/// <summary>SGD with momentum as PyTorch defines it: v = μv + g; p −= lr·v (Nesterov: p −= lr·(g + μv)).</summary>
public sealed class Momentum(double learningRate = 0.01, double momentum = 0.9, bool nesterov = false) : Optimizer(learningRate)
{
    public double Coefficient { get; } = momentum is >= 0 and < 1 ? momentum : throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1)");

    public bool Nesterov { get; } = nesterov;

    protected override string[] SlotNames => ["velocity"];

    protected override void Update(Tensor parameter, Tensor gradient, Tensor[] slots) =>
        parameter.Backend.MomentumStep(parameter.Storage, gradient.Storage, slots[0].Storage, parameter.Size, LearningRate, Coefficient, Nesterov);

    public override OptimizerSpec ToSpec() => new MomentumSpec(LearningRate, Coefficient, Nesterov);
}
