namespace DeepMap.Tensors.Backends.Ilgpu;

public sealed partial class IlgpuBackend
{
    public void SgdStep(Storage parameter, Storage gradient, int length, double learningRate, double weightDecay)
    {
        if (length > 0) _k.Sgd(length, V(parameter), V(gradient), (float)learningRate, (float)(1 - learningRate * weightDecay));
    }

    public void MomentumStep(Storage parameter, Storage gradient, Storage velocity, int length, double learningRate, double momentum, bool nesterov)
    {
        if (length > 0) _k.Momentum(length, V(parameter), V(gradient), V(velocity), (float)learningRate, (float)momentum, nesterov ? 1 : 0);
    }

    /// <summary>The bias corrections are folded into two scalars on the host, as the CPU backend does.</summary>
    public void AdamStep(Storage parameter, Storage gradient, Storage m, Storage v, int length, double learningRate, double beta1, double beta2, double epsilon, double weightDecay, long step)
    {
        if (length == 0) return;
        var stepSize = (float)(learningRate / (1 - Math.Pow(beta1, step)));
        var invRootCorrection2 = (float)(1 / Math.Sqrt(1 - Math.Pow(beta2, step)));
        _k.Adam(length, V(parameter), V(gradient), V(m), V(v), (float)beta1, (float)beta2, stepSize, invRootCorrection2, (float)epsilon, (float)(1 - learningRate * weightDecay));
    }
}
