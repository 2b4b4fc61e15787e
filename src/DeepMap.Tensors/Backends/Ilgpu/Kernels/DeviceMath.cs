namespace DeepMap.Tensors.Backends.Ilgpu.Kernels;

/// <summary>The scalar functions kernels share, written so they compile to the same accuracy on every ILGPU target.</summary>
internal static class DeviceMath
{
    public static bool IsNaN(float v) => float.IsNaN(v);

    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary>
    /// From exp rather than MathF.Tanh, which ILGPU lowers to an approximation (≈1e-3) on PTX. Near zero the exp form
    /// cancels, so a short series takes over there.
    /// </summary>
    public static float Tanh(float x)
    {
        var a = MathF.Abs(x);
        if (a < 0.004f) return x * (1f - x * x * (1f / 3f));
        var e = MathF.Exp(-2f * a);
        var t = (1f - e) / (1f + e);
        return x < 0 ? -t : t;
    }

    /// <summary><paramref name="activation"/> is an <see cref="Activation"/> as int: kernels take only plain values.</summary>
    public static float Activate(int activation, float v)
    {
        if (activation == (int)Activation.Relu) return v > 0 ? v : 0f;
        if (activation == (int)Activation.Sigmoid) return Sigmoid(v);
        if (activation == (int)Activation.Tanh) return Tanh(v);
        return v;
    }
}
