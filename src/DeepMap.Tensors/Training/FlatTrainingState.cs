using DeepMap.Tensors.Models;
using DeepMap.Tensors.Optimizers;

namespace DeepMap.Tensors.Training;

/// <summary>
/// A compiled model's training state as flat vectors in parameter order, as parameter-server shards hold it: slot 0
/// the weights (<see cref="ParameterVector"/>), then each optimizer slot in the optimizer's order.
/// </summary>
public static class FlatTrainingState
{
    public static float[][] Read(Sequential model)
    {
        var optimizer = Compiled(model);
        var weights = new float[ParameterVector.Length(model.Parameters)];
        ParameterVector.ReadValues(model.Parameters, weights);
        var state = new List<float[]> { weights };
        var slots = optimizer.State(model.Parameters).ToDictionary(s => s.Name, s => s.Value);
        foreach (var slot in optimizer.Slots)
        {
            var values = new float[weights.Length];
            var offset = 0;
            foreach (var p in model.Parameters)
            {
                model.Backend.Download(slots[Optimizer.SlotKey(slot, p.Name)].Storage, values.AsSpan(offset, p.Value.Size));
                offset += p.Value.Size;
            }
            state.Add(values);
        }
        return [.. state];
    }

    /// <summary>Sets the weights from slot 0, every optimizer slot from <paramref name="slot"/>(1 + j), and the optimizer's step count.</summary>
    public static void Write(Sequential model, Func<int, float[]> slot, long optimizerSteps)
    {
        var optimizer = Compiled(model);
        ParameterVector.WriteValues(model.Parameters, slot(0));
        var slots = optimizer.State(model.Parameters).ToDictionary(s => s.Name, s => s.Value);
        for (var j = 0; j < optimizer.Slots.Count; j++)
        {
            var values = slot(j + 1);
            var offset = 0;
            foreach (var p in model.Parameters)
            {
                model.Backend.Upload(values.AsSpan(offset, p.Value.Size), slots[Optimizer.SlotKey(optimizer.Slots[j], p.Name)].Storage);
                offset += p.Value.Size;
            }
        }
        optimizer.Steps = optimizerSteps;
    }

    private static Optimizer Compiled(Sequential model) =>
        model.Optimizer ?? throw new InvalidOperationException("the model is not compiled: it has no optimizer state");
}
