using System.Numerics;
using System.Numerics.Tensors;

namespace DeepMap.Tensors.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void SgdStep(Storage parameter, Storage gradient, int length, double learningRate, double weightDecay)
    {
        var p = A(parameter);
        var g = A(gradient);
        var lr = (float)learningRate;
        var decay = (float)(1 - learningRate * weightDecay);
        ForChunks(length, 2, (p, g, lr, decay, weightDecay), static (in (float[] P, float[] G, float Lr, float Decay, double WeightDecay) st, int s, int e) =>
        {
            var (p, g, lr, decay, weightDecay) = st;
            var ps = p.AsSpan(s, e - s);
            if (weightDecay != 0) TensorPrimitives.Multiply(ps, decay, ps);
            TensorPrimitives.FusedMultiplyAdd(g.AsSpan(s, e - s), -lr, ps, ps);
        });
    }

    public void MomentumStep(Storage parameter, Storage gradient, Storage velocity, int length, double learningRate, double momentum, bool nesterov)
    {
        var p = A(parameter);
        var g = A(gradient);
        var v = A(velocity);
        var lr = (float)learningRate;
        var mu = (float)momentum;
        ForChunks(length, 4, (p, g, v, lr, mu, nesterov), static (in (float[] P, float[] G, float[] V, float Lr, float Mu, bool Nesterov) st, int s, int e) =>
        {
            var (p, g, v, lr, mu, nesterov) = st;
            var ps = p.AsSpan(s, e - s);
            var gs = g.AsSpan(s, e - s);
            var vs = v.AsSpan(s, e - s);
            TensorPrimitives.FusedMultiplyAdd(vs, mu, gs, vs);
            if (nesterov)
            {
                // p −= lr·g + lr·μ·v
                TensorPrimitives.FusedMultiplyAdd(gs, -lr, ps, ps);
                TensorPrimitives.FusedMultiplyAdd(vs, -lr * mu, ps, ps);
            }
            else
            {
                TensorPrimitives.FusedMultiplyAdd(vs, -lr, ps, ps);
            }
        });
    }

    public void AdamStep(Storage parameter, Storage gradient, Storage m, Storage v, int length, double learningRate, double beta1, double beta2, double epsilon, double weightDecay, long step)
    {
        var p = A(parameter);
        var g = A(gradient);
        var mv = A(m);
        var vv = A(v);
        var b1 = (float)beta1;
        var b2 = (float)beta2;
        var stepSize = (float)(learningRate / (1 - Math.Pow(beta1, step)));
        var invRootCorrection2 = (float)(1 / Math.Sqrt(1 - Math.Pow(beta2, step)));
        var eps = (float)epsilon;
        var decay = (float)(1 - learningRate * weightDecay);
        ForChunks(length, 8, (p, g, mv, vv, b1, b2, stepSize, invRootCorrection2, eps, decay),
            static (in (float[] P, float[] G, float[] M, float[] V, float B1, float B2, float StepSize, float InvRoot, float Eps, float Decay) st, int s, int e) =>
        {
            var (p, g, mv, vv, b1, b2, stepSize, invRootCorrection2, eps, decay) = st;
            var w = Vector<float>.Count;
            var i = s;
            var vb1 = new Vector<float>(b1);
            var vb2 = new Vector<float>(b2);
            var v1mb1 = new Vector<float>(1 - b1);
            var v1mb2 = new Vector<float>(1 - b2);
            var vStep = new Vector<float>(stepSize);
            var vInv = new Vector<float>(invRootCorrection2);
            var vEps = new Vector<float>(eps);
            var vDecay = new Vector<float>(decay);
            for (; i <= e - w; i += w)
            {
                var gi = new Vector<float>(g.AsSpan(i));
                var mi = vb1 * new Vector<float>(mv.AsSpan(i)) + v1mb1 * gi;
                var vi = vb2 * new Vector<float>(vv.AsSpan(i)) + v1mb2 * gi * gi;
                mi.CopyTo(mv.AsSpan(i));
                vi.CopyTo(vv.AsSpan(i));
                var pi = new Vector<float>(p.AsSpan(i)) * vDecay - vStep * mi / (Vector.SquareRoot(vi) * vInv + vEps);
                pi.CopyTo(p.AsSpan(i));
            }
            for (; i < e; i++)
            {
                mv[i] = b1 * mv[i] + (1 - b1) * g[i];
                vv[i] = b2 * vv[i] + (1 - b2) * g[i] * g[i];
                p[i] = p[i] * decay - stepSize * mv[i] / (MathF.Sqrt(vv[i]) * invRootCorrection2 + eps);
            }
        });
    }
}
