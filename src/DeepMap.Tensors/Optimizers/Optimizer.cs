using DeepMap.Tensors.Layers;

namespace DeepMap.Tensors.Optimizers;

/// <summary>
/// Updates parameters from their accumulated gradients. Per-parameter state (momentum, Adam's moments) lives here,
/// keyed by parameter name, and is saved in checkpoints so a resumed run continues exactly.
/// </summary>
public abstract class Optimizer
{
    private readonly Dictionary<string, Tensor[]> _slots = new();

    protected Optimizer(double learningRate)
    {
        if (!(learningRate > 0) || double.IsInfinity(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "learning rate must be a positive number");
        LearningRate = learningRate;
    }

    public double LearningRate { get; set; }

    /// <summary>Updates applied so far (Adam's bias correction counts them).</summary>
    public long Steps { get; set; }

    /// <summary>The names of the per-parameter state tensors this optimizer keeps ("m", "v").</summary>
    protected abstract string[] SlotNames { get; }

    public abstract OptimizerSpec ToSpec();

    /// <summary>One update of every parameter that has a gradient; the gradients are left in place.</summary>
    public void Step(IReadOnlyList<Parameter> parameters)
    {
        Steps++;
        // Indexed, not foreach: enumerating an IReadOnlyList boxes its enumerator (an allocation per step).
        for (var i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            if (p.Value.Grad is null) continue;
            Update(p.Value, p.Value.Grad, SlotsFor(p));
        }
    }

    protected abstract void Update(Tensor parameter, Tensor gradient, Tensor[] slots);

    private Tensor[] SlotsFor(Parameter p) => _slots.TryGetValue(p.Name, out var slots) ? slots : CreateSlots(p);

    // Apart from SlotsFor: a lambda capturing p there would allocate its closure on every call, found or not.
    private Tensor[] CreateSlots(Parameter p)
    {
        var slots = SlotNames.Select(_ => Tensor.Zeros(p.Value.Backend, p.Value.Shape).Keep()).ToArray();
        _slots[p.Name] = slots;
        return slots;
    }

    /// <summary>Every state tensor as ("optimizer.{slot}.{parameter}", values), for checkpoints.</summary>
    public IEnumerable<(string Name, Tensor Value)> State(IReadOnlyList<Parameter> parameters)
    {
        foreach (var p in parameters)
        {
            var slots = SlotsFor(p);
            for (var i = 0; i < slots.Length; i++) yield return ($"optimizer.{SlotNames[i]}.{p.Name}", slots[i]);
        }
    }

    public static string SlotKey(string slot, string parameter) => $"optimizer.{slot}.{parameter}";

    public IReadOnlyList<string> Slots => SlotNames;
}
