using System.Numerics.Tensors;

namespace DeepMap.Tensors.Backends.Cpu;

internal static class Activations
{
    public static void Apply(Activation activation, Span<float> values)
    {
        switch (activation)
        {
            case Activation.None: break;
            case Activation.Relu: TensorPrimitives.Max(values, 0f, values); break;
            case Activation.Sigmoid: TensorPrimitives.Sigmoid(values, values); break;
            case Activation.Tanh: TensorPrimitives.Tanh(values, values); break;
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation, null);
        }
    }
}
