using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepMap.Tensors.Backends.Cpu;

internal static unsafe partial class Sgemm
{
    private static void PackA(in GemmShape s, float* a, int ic, int mc, int pc, int kc, float* dst)
    {
        for (var ir = 0; ir < mc; ir += Mr)
        {
            var mr = Math.Min(Mr, mc - ir);
            var strip = dst + ir * kc;
            if (s.TransposeA)
            {
                // A is stored K×M: the MR values of one p are contiguous.
                for (var p = 0; p < kc; p++)
                {
                    var src = a + (long)(pc + p) * s.M + ic + ir;
                    var d = strip + p * Mr;
                    if (mr == 8 && Mr == 8)
                    {
                        Vector256.Store(Vector256.Load(src), d);
                        continue;
                    }
                    for (var i = 0; i < mr; i++) d[i] = src[i];
                    for (var i = mr; i < Mr; i++) d[i] = 0;
                }
            }
            else if (mr == 8 && Mr == 8)
            {
                Transpose8Rows(a + (long)(ic + ir) * s.K + pc, s.K, kc, strip, 8);
            }
            else
            {
                for (var i = 0; i < Mr; i++)
                {
                    var d = strip + i;
                    if (i < mr)
                    {
                        var src = a + (long)(ic + ir + i) * s.K + pc;
                        for (var p = 0; p < kc; p++) d[p * Mr] = src[p];
                    }
                    else
                    {
                        for (var p = 0; p < kc; p++) d[p * Mr] = 0;
                    }
                }
            }
        }
    }

    /// <summary>Packs the strips starting at columns [jr0, jr1) of the panel (multiples of NR).</summary>
    private static void PackB(in GemmShape s, float* b, int pc, int kc, int jc, int nc, float* dst, int jr0, int jr1)
    {
        var nr = Nr;
        for (var jr = jr0; jr < jr1; jr += nr)
        {
            var w = Math.Min(nr, nc - jr);
            var strip = dst + jr * kc;
            if (s.TransposeB)
            {
                // B is stored N×K: each column's K run becomes a column of the strip, eight columns at a time.
                var full = w / 8 * 8;
                for (var j = 0; j < full; j += 8)
                    Transpose8Rows(b + (long)(jc + jr + j) * s.K + pc, s.K, kc, strip + j, nr);
                for (var j = full; j < nr; j++)
                {
                    var d = strip + j;
                    if (j < w)
                    {
                        var src = b + (long)(jc + jr + j) * s.K + pc;
                        for (var p = 0; p < kc; p++) d[p * nr] = src[p];
                    }
                    else
                    {
                        for (var p = 0; p < kc; p++) d[p * nr] = 0;
                    }
                }
            }
            else
            {
                for (var p = 0; p < kc; p++)
                {
                    var src = b + (long)(pc + p) * s.N + jc + jr;
                    var d = strip + p * nr;
                    if (w == nr)
                    {
                        if (Wide)
                        {
                            Vector512.Store(Vector512.Load(src), d);
                            Vector512.Store(Vector512.Load(src + 16), d + 16);
                        }
                        else
                        {
                            Vector256.Store(Vector256.Load(src), d);
                            Vector256.Store(Vector256.Load(src + 8), d + 8);
                        }
                    }
                    else
                    {
                        for (var j = 0; j < w; j++) d[j] = src[j];
                        for (var j = w; j < nr; j++) d[j] = 0;
                    }
                }
            }
        }
    }

    /// <summary>dst[p·dstStride + i] = src[i·srcStride + p] for i &lt; 8, p &lt; count: eight rows become eight columns.</summary>
    private static void Transpose8Rows(float* src, long srcStride, int count, float* dst, int dstStride)
    {
        var p = 0;
        if (Avx.IsSupported)
        {
            for (; p + 8 <= count; p += 8)
            {
                var s0 = src + p;
                var r0 = Avx.LoadVector256(s0);
                var r1 = Avx.LoadVector256(s0 + srcStride);
                var r2 = Avx.LoadVector256(s0 + 2 * srcStride);
                var r3 = Avx.LoadVector256(s0 + 3 * srcStride);
                var r4 = Avx.LoadVector256(s0 + 4 * srcStride);
                var r5 = Avx.LoadVector256(s0 + 5 * srcStride);
                var r6 = Avx.LoadVector256(s0 + 6 * srcStride);
                var r7 = Avx.LoadVector256(s0 + 7 * srcStride);
                var t0 = Avx.UnpackLow(r0, r1);
                var t1 = Avx.UnpackHigh(r0, r1);
                var t2 = Avx.UnpackLow(r2, r3);
                var t3 = Avx.UnpackHigh(r2, r3);
                var t4 = Avx.UnpackLow(r4, r5);
                var t5 = Avx.UnpackHigh(r4, r5);
                var t6 = Avx.UnpackLow(r6, r7);
                var t7 = Avx.UnpackHigh(r6, r7);
                var u0 = Avx.Shuffle(t0, t2, 0x44);
                var u1 = Avx.Shuffle(t0, t2, 0xEE);
                var u2 = Avx.Shuffle(t1, t3, 0x44);
                var u3 = Avx.Shuffle(t1, t3, 0xEE);
                var u4 = Avx.Shuffle(t4, t6, 0x44);
                var u5 = Avx.Shuffle(t4, t6, 0xEE);
                var u6 = Avx.Shuffle(t5, t7, 0x44);
                var u7 = Avx.Shuffle(t5, t7, 0xEE);
                var d = dst + (long)p * dstStride;
                Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
                Avx.Store(d + dstStride, Avx.Permute2x128(u1, u5, 0x20));
                Avx.Store(d + 2 * dstStride, Avx.Permute2x128(u2, u6, 0x20));
                Avx.Store(d + 3 * dstStride, Avx.Permute2x128(u3, u7, 0x20));
                Avx.Store(d + 4 * dstStride, Avx.Permute2x128(u0, u4, 0x31));
                Avx.Store(d + 5 * dstStride, Avx.Permute2x128(u1, u5, 0x31));
                Avx.Store(d + 6 * dstStride, Avx.Permute2x128(u2, u6, 0x31));
                Avx.Store(d + 7 * dstStride, Avx.Permute2x128(u3, u7, 0x31));
            }
        }
        for (; p < count; p++)
            for (var i = 0; i < 8; i++) dst[(long)p * dstStride + i] = src[i * srcStride + p];
    }
}
