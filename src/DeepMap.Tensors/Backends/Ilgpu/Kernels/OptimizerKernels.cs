using ILGPU;

namespace DeepMap.Tensors.Backends.Ilgpu.Kernels;

/// <summary>Fused parameter updates, one thread per parameter, in the CPU backend's float32 arithmetic.</summary>
internal static class OptimizerKernels
{
    public static void Sgd(Index1D i, ArrayView<float> p, ArrayView<float> g, float learningRate, float decay)
    {
        p[i] = p[i] * decay - learningRate * g[i];
    }

    public static void Momentum(Index1D i, ArrayView<float> p, ArrayView<float> g, ArrayView<float> v, float learningRate, float momentum, int nesterov)
    {
        var vi = v[i] * momentum + g[i];
        v[i] = vi;
        p[i] = nesterov != 0 ? p[i] - learningRate * g[i] - learningRate * momentum * vi : p[i] - learningRate * vi;
    }

    public static void Adam(Index1D i, ArrayView<float> p, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v,
        float beta1, float beta2, float stepSize, float invRootCorrection2, float epsilon, float decay)
    {
        var gi = g[i];
        var mi = beta1 * m[i] + (1f - beta1) * gi;
        var vi = beta2 * v[i] + (1f - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] * decay - stepSize * mi / (MathF.Sqrt(vi) * invRootCorrection2 + epsilon);
    }
}
