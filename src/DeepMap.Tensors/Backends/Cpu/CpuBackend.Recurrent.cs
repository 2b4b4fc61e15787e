using System.Numerics;
using System.Numerics.Tensors;

namespace DeepMap.Tensors.Backends.Cpu;

public sealed partial class CpuBackend
{
    [ThreadStatic] private static float[]? t_scratch;

    private static Span<float> Scratch(int length)
    {
        if (t_scratch is null || t_scratch.Length < length) t_scratch = new float[Math.Max(length, 1024)];
        return t_scratch.AsSpan(0, length);
    }

    public void LstmCell(Storage gates, int gatesOffset, Storage cPrev, int cPrevOffset, Storage c, int cOffset, Storage h, int hOffset, int batch, int hidden)
    {
        var gv = A(gates);
        var cp = A(cPrev);
        var cv = A(c);
        var hv = A(h);
        ForChunks(batch, hidden * 16, (gv, cp, cv, hv, gatesOffset, cPrevOffset, cOffset, hOffset, hidden),
            static (in (float[] G, float[] CPrev, float[] C, float[] H, int GatesOffset, int CPrevOffset, int COffset, int HOffset, int Hidden) st, int b0, int b1) =>
        {
            var (gv, cp, cv, hv, gatesOffset, cPrevOffset, cOffset, hOffset, hidden) = st;
            for (var b = b0; b < b1; b++)
            {
                var row = gv.AsSpan(gatesOffset + b * 4 * hidden, 4 * hidden);
                var ifGates = row[..(2 * hidden)];
                TensorPrimitives.Sigmoid(ifGates, ifGates);
                var g = row.Slice(2 * hidden, hidden);
                TensorPrimitives.Tanh(g, g);
                var o = row.Slice(3 * hidden, hidden);
                TensorPrimitives.Sigmoid(o, o);
                var cs = cv.AsSpan(cOffset + b * hidden, hidden);
                var hs = hv.AsSpan(hOffset + b * hidden, hidden);
                TensorPrimitives.Multiply(row[..hidden], g, cs);
                TensorPrimitives.FusedMultiplyAdd(row.Slice(hidden, hidden), cp.AsSpan(cPrevOffset + b * hidden, hidden), cs, cs);
                TensorPrimitives.Tanh(cs, hs);
                TensorPrimitives.Multiply(hs, o, hs);
            }
        });
    }

    public void LstmCellBackward(Storage gates, int gatesOffset, Storage cPrev, int cPrevOffset, Storage c, int cOffset, Storage dh, int dhOffset, Storage dc, Storage dGates, int dGatesOffset, int batch, int hidden)
    {
        var gv = A(gates);
        var cp = A(cPrev);
        var cv = A(c);
        var dhv = A(dh);
        var dcv = A(dc);
        var dgv = A(dGates);
        ForChunks(batch, hidden * 16, (gv, cp, cv, dhv, dcv, dgv, gatesOffset, cPrevOffset, cOffset, dhOffset, dGatesOffset, hidden),
            static (in (float[] G, float[] CPrev, float[] C, float[] Dh, float[] Dc, float[] DGates, int GatesOffset, int CPrevOffset, int COffset, int DhOffset, int DGatesOffset, int Hidden) st, int b0, int b1) =>
        {
            var (gv, cp, cv, dhv, dcv, dgv, gatesOffset, cPrevOffset, cOffset, dhOffset, dGatesOffset, hidden) = st;
            var tanhC = Scratch(hidden);
            for (var b = b0; b < b1; b++)
            {
                var row = gv.AsSpan(gatesOffset + b * 4 * hidden, 4 * hidden);
                var dRow = dgv.AsSpan(dGatesOffset + b * 4 * hidden, 4 * hidden);
                TensorPrimitives.Tanh(cv.AsSpan(cOffset + b * hidden, hidden), tanhC);
                CellBackward(row, cp.AsSpan(cPrevOffset + b * hidden, hidden), tanhC, dhv.AsSpan(dhOffset + b * hidden, hidden),
                    dcv.AsSpan(b * hidden, hidden), dRow, hidden);
            }
        });
    }

    private static void CellBackward(ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> tanhC, ReadOnlySpan<float> dh, Span<float> dc, Span<float> dGates, int hidden)
    {
        var w = Vector<float>.Count;
        var one = Vector<float>.One;
        var j = 0;
        for (; j <= hidden - w; j += w)
        {
            var i = new Vector<float>(gates[j..]);
            var f = new Vector<float>(gates[(hidden + j)..]);
            var g = new Vector<float>(gates[(2 * hidden + j)..]);
            var o = new Vector<float>(gates[(3 * hidden + j)..]);
            var t = new Vector<float>(tanhC[j..]);
            var dhj = new Vector<float>(dh[j..]);
            var dcj = new Vector<float>(dc[j..]) + dhj * o * (one - t * t);
            (dcj * g * i * (one - i)).CopyTo(dGates[j..]);
            (dcj * new Vector<float>(cPrev[j..]) * f * (one - f)).CopyTo(dGates[(hidden + j)..]);
            (dcj * i * (one - g * g)).CopyTo(dGates[(2 * hidden + j)..]);
            (dhj * t * o * (one - o)).CopyTo(dGates[(3 * hidden + j)..]);
            (dcj * f).CopyTo(dc[j..]);
        }
        for (; j < hidden; j++)
        {
            float i = gates[j], f = gates[hidden + j], g = gates[2 * hidden + j], o = gates[3 * hidden + j];
            var t = tanhC[j];
            var dcj = dc[j] + dh[j] * o * (1 - t * t);
            dGates[j] = dcj * g * i * (1 - i);
            dGates[hidden + j] = dcj * cPrev[j] * f * (1 - f);
            dGates[2 * hidden + j] = dcj * i * (1 - g * g);
            dGates[3 * hidden + j] = dh[j] * t * o * (1 - o);
            dc[j] = dcj * f;
        }
    }

    public void Gather(Storage table, int rows, int width, Storage indices, int count, Storage y)
    {
        var tv = A(table);
        var iv = A(indices);
        var yv = A(y);
        for (var i = 0; i < count; i++)
        {
            var row = ClassLabels.Index(iv[i], rows, i);
            tv.AsSpan(row * width, width).CopyTo(yv.AsSpan(i * width, width));
        }
    }

    public void ScatterAdd(Storage dy, Storage indices, int count, int width, Storage dTable, int rows)
    {
        var gv = A(dy);
        var iv = A(indices);
        var tv = A(dTable);
        for (var i = 0; i < count; i++)
        {
            var row = ClassLabels.Index(iv[i], rows, i);
            var target = tv.AsSpan(row * width, width);
            TensorPrimitives.Add(target, gv.AsSpan(i * width, width), target);
        }
    }
}
