using System.Text.Json.Serialization;

namespace DeepMap.Tensors.Optimizers;

/// <summary>An optimizer's kind and hyper-parameters, serializable so a checkpoint or a job can rebuild it.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(SgdSpec), "sgd")]
[JsonDerivedType(typeof(MomentumSpec), "momentum")]
[JsonDerivedType(typeof(AdamSpec), "adam")]
public abstract record OptimizerSpec
{
    public abstract Optimizer Create();

    /// <summary>The same optimizer with its learning rate divided by <paramref name="divisor"/>.</summary>
    public abstract OptimizerSpec WithLearningRateDividedBy(int divisor);
}

public sealed record SgdSpec(double Lr = 0.01, double WeightDecay = 0) : OptimizerSpec
{
    public override Optimizer Create() => new Sgd(Lr, WeightDecay);

    public override OptimizerSpec WithLearningRateDividedBy(int divisor) => this with { Lr = Lr / divisor };
}

public sealed record MomentumSpec(double Lr = 0.01, double Momentum = 0.9, bool Nesterov = false) : OptimizerSpec
{
    public override Optimizer Create() => new Momentum(Lr, Momentum, Nesterov);

    public override OptimizerSpec WithLearningRateDividedBy(int divisor) => this with { Lr = Lr / divisor };
}

public sealed record AdamSpec(double Lr = 0.001, double Beta1 = 0.9, double Beta2 = 0.999, double Eps = 1e-7, double WeightDecay = 0) : OptimizerSpec
{
    public override Optimizer Create() => new Adam(Lr, Beta1, Beta2, Eps, WeightDecay);

    public override OptimizerSpec WithLearningRateDividedBy(int divisor) => this with { Lr = Lr / divisor };
}
