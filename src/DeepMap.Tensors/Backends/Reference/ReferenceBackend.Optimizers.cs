namespace DeepMap.Tensors.Backends.Reference;

public sealed partial class ReferenceBackend
{
    public void SgdStep(Storage parameter, Storage gradient, int length, double learningRate, double weightDecay)
    {
        var p = D(parameter);
        var g = D(gradient);
        for (var i = 0; i < length; i++) p[i] -= learningRate * (g[i] + weightDecay * p[i]);
    }

    public void MomentumStep(Storage parameter, Storage gradient, Storage velocity, int length, double learningRate, double momentum, bool nesterov)
    {
        var p = D(parameter);
        var g = D(gradient);
        var v = D(velocity);
        for (var i = 0; i < length; i++)
        {
            v[i] = momentum * v[i] + g[i];
            p[i] -= learningRate * (nesterov ? g[i] + momentum * v[i] : v[i]);
        }
    }

    public void AdamStep(Storage parameter, Storage gradient, Storage m, Storage v, int length, double learningRate, double beta1, double beta2, double epsilon, double weightDecay, long step)
    {
        var p = D(parameter);
        var g = D(gradient);
        var mv = D(m);
        var vv = D(v);
        var correction1 = 1 - Math.Pow(beta1, step);
        var correction2 = 1 - Math.Pow(beta2, step);
        for (var i = 0; i < length; i++)
        {
            mv[i] = beta1 * mv[i] + (1 - beta1) * g[i];
            vv[i] = beta2 * vv[i] + (1 - beta2) * g[i] * g[i];
            var update = mv[i] / correction1 / (Math.Sqrt(vv[i] / correction2) + epsilon);
            p[i] -= learningRate * (update + weightDecay * p[i]);
        }
    }
}
