using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepMap.Tensors.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void MaxPool2D(Storage x, Storage y, Storage argMax, in Conv2DGeometry g)
    {
        var xv = A(x);
        var yv = A(y);
        var av = A(argMax);
        var geometry = g;
        ForChunks(g.Batch * g.Channels, (long)g.OutPixels * g.KernelHeight * g.KernelWidth, (xv, yv, av, geometry),
            static (in (float[] X, float[] Y, float[] A, Conv2DGeometry G) st, int p0, int p1) =>
        {
            for (var plane = p0; plane < p1; plane++) MaxPoolPlane(st.X, st.Y, st.A, st.G, plane);
        });
    }

    private static void MaxPoolPlane(float[] x, float[] y, float[] argMax, in Conv2DGeometry g, int plane)
    {
        if (g is { KernelHeight: 2, KernelWidth: 2, Stride: 2, PadTop: 0, PadLeft: 0 })
        {
            MaxPoolPlane2x2(x, y, argMax, g, plane);
            return;
        }
        var input = x.AsSpan(plane * g.Height * g.Width, g.Height * g.Width);
        var baseOut = plane * g.OutPixels;
        for (var oy = 0; oy < g.OutHeight; oy++)
            for (var ox = 0; ox < g.OutWidth; ox++)
            {
                var best = float.NegativeInfinity;
                var bestIndex = -1;
                for (var ky = 0; ky < g.KernelHeight; ky++)
                {
                    var iy = oy * g.Stride - g.PadTop + ky;
                    if (iy < 0 || iy >= g.Height) continue;
                    for (var kx = 0; kx < g.KernelWidth; kx++)
                    {
                        var ix = ox * g.Stride - g.PadLeft + kx;
                        if (ix < 0 || ix >= g.Width) continue;
                        var v = input[iy * g.Width + ix];
                        if (bestIndex < 0 || v > best) { best = v; bestIndex = iy * g.Width + ix; }
                    }
                }
                y[baseOut + oy * g.OutWidth + ox] = best;
                argMax[baseOut + oy * g.OutWidth + ox] = bestIndex;
            }
    }

    /// <summary>
    /// The common 2×2, stride-2 window without branches: on real activations which of the four wins is random, and
    /// a mispredicted branch per comparison cost more than the whole window. Ties keep the first, as the general path.
    /// </summary>
    private static void MaxPoolPlane2x2(float[] x, float[] y, float[] argMax, in Conv2DGeometry g, int plane)
    {
        if (Avx512F.IsSupported)
        {
            MaxPoolPlane2x2Vector(x, y, argMax, g, plane);
            return;
        }
        var input = x.AsSpan(plane * g.Height * g.Width, g.Height * g.Width);
        var output = y.AsSpan(plane * g.OutPixels, g.OutPixels);
        var winners = argMax.AsSpan(plane * g.OutPixels, g.OutPixels);
        var w = g.Width;
        for (var oy = 0; oy < g.OutHeight; oy++)
        {
            var top = oy * 2 * w;
            for (var ox = 0; ox < g.OutWidth; ox++)
            {
                var i = top + ox * 2;
                var best = input[i];
                var index = i;
                Keep(ref best, ref index, input[i + 1], i + 1);
                Keep(ref best, ref index, input[i + w], i + w);
                Keep(ref best, ref index, input[i + w + 1], i + w + 1);
                output[oy * g.OutWidth + ox] = best;
                winners[oy * g.OutWidth + ox] = index;
            }
        }
    }

    private static readonly Vector512<int> EvenLanes = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    private static readonly Vector512<int> OddLanes = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    private static readonly Vector512<int> EvenColumns = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);

    /// <summary>
    /// Sixteen windows at a time: each row's pairs first (left wins ties), then the two rows (top wins ties) — the
    /// same first-maximum the scalar path finds in reading order, so the gradient goes to the same element.
    /// </summary>
    private static unsafe void MaxPoolPlane2x2Vector(float[] x, float[] y, float[] argMax, in Conv2DGeometry g, int plane)
    {
        var w = g.Width;
        var top = stackalloc float[32];
        var bottom = stackalloc float[32];
        var values = stackalloc float[16];
        var winners = stackalloc float[16];
        fixed (float* xp = x, yp = y, ap = argMax)
        {
            var input = xp + (long)plane * g.Height * w;
            var output = yp + (long)plane * g.OutPixels;
            var indices = ap + (long)plane * g.OutPixels;
            for (var oy = 0; oy < g.OutHeight; oy++)
            {
                var rowTop = input + oy * 2 * w;
                for (var ox = 0; ox < g.OutWidth; ox += 16)
                {
                    var count = Math.Min(16, g.OutWidth - ox);
                    var columns = Math.Min(32, w - 2 * ox);
                    new Span<float>(top, 32).Fill(float.NegativeInfinity);
                    new Span<float>(bottom, 32).Fill(float.NegativeInfinity);
                    new ReadOnlySpan<float>(rowTop + 2 * ox, columns).CopyTo(new Span<float>(top, 32));
                    new ReadOnlySpan<float>(rowTop + w + 2 * ox, columns).CopyTo(new Span<float>(bottom, 32));
                    var first = Vector512.Create(oy * 2 * w + 2 * ox) + EvenColumns;
                    var (upper, upperIndex) = PairMax(Vector512.Load(top), Vector512.Load(top + 16), first);
                    var (lower, lowerIndex) = PairMax(Vector512.Load(bottom), Vector512.Load(bottom + 16), first + Vector512.Create(w));
                    var lowerWins = Vector512.GreaterThan(lower, upper);
                    Vector512.Store(Vector512.ConditionalSelect(lowerWins, lower, upper), values);
                    Vector512.Store(Vector512.ConvertToSingle(Vector512.ConditionalSelect(lowerWins.AsInt32(), lowerIndex, upperIndex)), winners);
                    new ReadOnlySpan<float>(values, count).CopyTo(new Span<float>(output + oy * g.OutWidth + ox, count));
                    new ReadOnlySpan<float>(winners, count).CopyTo(new Span<float>(indices + oy * g.OutWidth + ox, count));
                }
            }
        }
    }

    private static (Vector512<float> Max, Vector512<int> Index) PairMax(Vector512<float> low, Vector512<float> high, Vector512<int> leftIndex)
    {
        var left = Avx512F.PermuteVar16x32x2(low, EvenLanes, high);
        var right = Avx512F.PermuteVar16x32x2(low, OddLanes, high);
        var rightWins = Vector512.GreaterThan(right, left);
        return (Vector512.ConditionalSelect(rightWins, right, left), Vector512.ConditionalSelect(rightWins.AsInt32(), leftIndex + Vector512<int>.One, leftIndex));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Keep(ref float best, ref int index, float candidate, int candidateIndex)
    {
        var greater = candidate > best;
        var mask = -(int)Unsafe.As<bool, byte>(ref greater);
        best = BitConverter.Int32BitsToSingle((BitConverter.SingleToInt32Bits(candidate) & mask) | (BitConverter.SingleToInt32Bits(best) & ~mask));
        index = (candidateIndex & mask) | (index & ~mask);
    }

    public void MaxPool2DBackward(Storage dy, Storage argMax, Storage dx, in Conv2DGeometry g)
    {
        var gv = A(dy);
        var av = A(argMax);
        var dv = A(dx);
        var geometry = g;
        ForChunks(g.Batch * g.Channels, geometry.OutPixels, (gv, av, dv, geometry), static (in (float[] G, float[] A, float[] D, Conv2DGeometry Geometry) st, int p0, int p1) =>
        {
            var (gv, av, dv, geometry) = st;
            for (var plane = p0; plane < p1; plane++)
            {
                var d = dv.AsSpan(plane * geometry.Height * geometry.Width, geometry.Height * geometry.Width);
                d.Clear();
                for (var o = 0; o < geometry.OutPixels; o++)
                    d[(int)av[plane * geometry.OutPixels + o]] += gv[plane * geometry.OutPixels + o];
            }
        });
    }
}
