using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepMap.Tensors.Backends.Cpu;

/// <summary>
/// Packed, register-blocked single-precision GEMM in the BLIS style: B is packed into NR-wide column strips,
/// A into MR-tall row strips, and a microkernel keeps an MR×NR tile of C in registers across the K block.
/// Threads take disjoint rectangles of C, and every element's K reduction runs in the same order whatever the
/// split, so results are bit-identical for any thread count.
/// </summary>
internal static unsafe class Sgemm
{
    private static readonly bool Wide = Vector512.IsHardwareAccelerated;

    // Tiles sized to the register file: 8×32 is 16 zmm accumulators of 32; 6×16 is 12 ymm accumulators of 16.
    private static readonly int Mr = Wide ? 8 : 6;
    private static readonly int Nr = Wide ? 32 : 16;
    private const int Kc = 384;
    private const int Mc = 120;
    private const int Nc = 1024;
    private const long InlineFlops = 1L << 16;

    [ThreadStatic] private static float[]? t_packA;
    [ThreadStatic] private static float[]? t_packB;

    public static string Isa => Wide ? "Vector512" : "Vector256";

    public static void Run(WorkerPool pool, in GemmShape s, float[] a, float[] b, float[] c, bool accumulate, float[]? bias, Activation activation)
    {
        if (s.M == 0 || s.N == 0) return;
        var tilesM = (s.M + Mr - 1) / Mr;
        var tilesN = (s.N + Nr - 1) / Nr;
        var flops = (long)s.M * s.N * Math.Max(1, s.K);
        if (flops < InlineFlops || pool.Threads == 1 || s.K == 0)
        {
            Region(s, a, b, c, accumulate, bias, activation, 0, s.M, 0, s.N);
            return;
        }
        if (tilesM < 2 * pool.Threads && tilesN > tilesM)
        {
            // Few rows: each thread takes a range of columns and packs its own (small) share of A and B.
            pool.For(tilesN, new Operands(s, a, b, c, accumulate, bias, activation), static (in Operands o, int t0, int t1) =>
                Region(o.Shape, o.A, o.B, o.C, o.Accumulate, o.Bias, o.Activation, 0, o.Shape.M, t0 * Nr, Math.Min(o.Shape.N, t1 * Nr)));
            return;
        }
        SharedPanel(pool, s, a, b, c, accumulate, bias, activation, tilesM);
    }

    /// <summary>
    /// Many rows: the threads pack each B panel together, once, then each computes its own rows against it, packing
    /// only its own rows of A. Nothing is packed twice.
    /// </summary>
    private static void SharedPanel(WorkerPool pool, GemmShape s, float[] a, float[] b, float[] c, bool accumulate, float[]? bias, Activation activation, int tilesM)
    {
        var panel = t_packB ??= GC.AllocateUninitializedArray<float>(Kc * (Nc + 32), pinned: true);
        for (var jc = 0; jc < s.N; jc += Nc)
        {
            var nc = Math.Min(Nc, s.N - jc);
            var strips = (nc + Nr - 1) / Nr;
            for (var pc = 0; pc < s.K; pc += Kc)
            {
                var kc = Math.Min(Kc, s.K - pc);
                int column = jc, depth = pc;
                var last = pc + kc >= s.K;
                var step = new PanelStep(new Operands(s, a, b, c, accumulate, bias, activation), panel, column, nc, depth, kc, last);
                pool.For(strips, step, static (in PanelStep p, int j0, int j1) =>
                {
                    fixed (float* bp = p.O.B, pb = p.Panel)
                        PackB(p.O.Shape, bp + p.O.Shape.BOffset, p.Depth, p.Kc, p.Column, p.Nc, pb, j0 * Nr, Math.Min(p.Nc, j1 * Nr));
                });
                pool.For(tilesM, step, static (in PanelStep p, int t0, int t1) =>
                {
                    var s = p.O.Shape;
                    var m0 = t0 * Mr;
                    var m1 = Math.Min(s.M, t1 * Mr);
                    var packA = t_packA ??= GC.AllocateUninitializedArray<float>(Mc * Kc, pinned: true);
                    fixed (float* ap = p.O.A, cp = p.O.C, pa = packA, pb = p.Panel)
                    {
                        Block(s, ap + s.AOffset, cp + s.COffset, pa, pb, m0, m1, p.Depth, p.Kc, p.Column, p.Nc, p.O.Accumulate || p.Depth > 0);
                        if (p.Last && (p.O.Bias is not null || p.O.Activation != Activation.None))
                            Epilogue(cp + s.COffset, s.N, m0, m1, p.Column, p.Nc, p.O.Bias, p.O.Activation);
                    }
                });
            }
        }
    }

    /// <summary>A GEMM's operands, handed to the pool's parts as a value (a capturing lambda would allocate per call).</summary>
    private readonly record struct Operands(GemmShape Shape, float[] A, float[] B, float[] C, bool Accumulate, float[]? Bias, Activation Activation);

    /// <summary>One kc×nc panel of B shared by the parts of <see cref="SharedPanel"/>.</summary>
    private readonly record struct PanelStep(Operands O, float[] Panel, int Column, int Nc, int Depth, int Kc, bool Last);

    private static void Region(in GemmShape s, float[] a, float[] b, float[] c, bool accumulate, float[]? bias, Activation activation, int m0, int m1, int n0, int n1)
    {
        if (m0 >= m1 || n0 >= n1) return;
        var packA = t_packA ??= GC.AllocateUninitializedArray<float>(Mc * Kc, pinned: true);
        var packB = t_packB ??= GC.AllocateUninitializedArray<float>(Kc * (Nc + 32), pinned: true);
        fixed (float* ap = a, bp = b, cp = c, pa = packA, pb = packB)
        {
            var aBase = ap + s.AOffset;
            var bBase = bp + s.BOffset;
            var cBase = cp + s.COffset;
            for (var jc = n0; jc < n1; jc += Nc)
            {
                var nc = Math.Min(Nc, n1 - jc);
                if (s.K == 0 && !accumulate)
                    for (var i = m0; i < m1; i++) new Span<float>(cBase + (long)i * s.N + jc, nc).Clear();
                for (var pc = 0; pc < s.K; pc += Kc)
                {
                    var kc = Math.Min(Kc, s.K - pc);
                    PackB(s, bBase, pc, kc, jc, nc, pb, 0, nc);
                    Block(s, aBase, cBase, pa, pb, m0, m1, pc, kc, jc, nc, accumulate || pc > 0);
                }
                if (bias is not null || activation != Activation.None)
                    Epilogue(cBase, s.N, m0, m1, jc, nc, bias, activation);
            }
        }
    }

    /// <summary>Rows [m0, m1) of C against one packed kc×nc panel of B, packing A block by block.</summary>
    private static void Block(in GemmShape s, float* aBase, float* cBase, float* pa, float* pb, int m0, int m1, int pc, int kc, int jc, int nc, bool add)
    {
        // The edge-tile scratch lives here, not in the microkernel: a stackalloc inside the kernel makes the JIT keep
        // the accumulators on the stack unless tiered PGO happens to have marked the loop hot.
        var edge = stackalloc float[8 * 32];
        for (var ic = m0; ic < m1; ic += Mc)
        {
            var mc = Math.Min(Mc, m1 - ic);
            PackA(s, aBase, ic, mc, pc, kc, pa);
            for (var jr = 0; jr < nc; jr += Nr)
            {
                var nr = Math.Min(Nr, nc - jr);
                for (var ir = 0; ir < mc; ir += Mr)
                {
                    var mr = Math.Min(Mr, mc - ir);
                    var tile = cBase + (long)(ic + ir) * s.N + jc + jr;
                    if (Wide) Kernel512(kc, pa + ir * kc, pb + jr * kc, tile, s.N, add, mr, nr, edge);
                    else Kernel256(kc, pa + ir * kc, pb + jr * kc, tile, s.N, add, mr, nr, edge);
                }
            }
        }
    }

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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel512(int kc, float* a, float* b, float* c, int ldc, bool add, int mr, int nr, float* tile)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        var p = 0;
        for (; p + 1 < kc; p += 2)
        {
            {
                var b0 = Vector512.Load(b);
                var b1 = Vector512.Load(b + 16);
                var x = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
                x = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
                x = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
                x = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
                x = Vector512.Create(a[4]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
                x = Vector512.Create(a[5]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
                x = Vector512.Create(a[6]); c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
                x = Vector512.Create(a[7]); c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            }
            {
                var b0 = Vector512.Load(b + 32);
                var b1 = Vector512.Load(b + 48);
                var x = Vector512.Create(a[8]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
                x = Vector512.Create(a[9]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
                x = Vector512.Create(a[10]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
                x = Vector512.Create(a[11]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
                x = Vector512.Create(a[12]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
                x = Vector512.Create(a[13]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
                x = Vector512.Create(a[14]); c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
                x = Vector512.Create(a[15]); c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            }
            a += 16;
            b += 64;
        }
        if (p < kc)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var x = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[4]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[5]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a[6]); c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a[7]); c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
        }
        if (mr == 8 && nr == 32)
        {
            Store512(c, add, c00, c01); c += ldc;
            Store512(c, add, c10, c11); c += ldc;
            Store512(c, add, c20, c21); c += ldc;
            Store512(c, add, c30, c31); c += ldc;
            Store512(c, add, c40, c41); c += ldc;
            Store512(c, add, c50, c51); c += ldc;
            Store512(c, add, c60, c61); c += ldc;
            Store512(c, add, c70, c71);
            return;
        }
        Vector512.Store(c00, tile); Vector512.Store(c01, tile + 16);
        Vector512.Store(c10, tile + 32); Vector512.Store(c11, tile + 48);
        Vector512.Store(c20, tile + 64); Vector512.Store(c21, tile + 80);
        Vector512.Store(c30, tile + 96); Vector512.Store(c31, tile + 112);
        Vector512.Store(c40, tile + 128); Vector512.Store(c41, tile + 144);
        Vector512.Store(c50, tile + 160); Vector512.Store(c51, tile + 176);
        Vector512.Store(c60, tile + 192); Vector512.Store(c61, tile + 208);
        Vector512.Store(c70, tile + 224); Vector512.Store(c71, tile + 240);
        StorePartial(tile, 32, c, ldc, add, mr, nr);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* c, bool add, Vector512<float> v0, Vector512<float> v1)
    {
        if (add)
        {
            v0 += Vector512.Load(c);
            v1 += Vector512.Load(c + 16);
        }
        Vector512.Store(v0, c);
        Vector512.Store(v1, c + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel256(int kc, float* a, float* b, float* c, int ldc, bool add, int mr, int nr, float* tile)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var x = Vector256.Create(a[0]); c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]); c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]); c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[4]); c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[5]); c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
            a += 6;
            b += 16;
        }
        if (mr == 6 && nr == 16)
        {
            Store256(c, add, c00, c01); c += ldc;
            Store256(c, add, c10, c11); c += ldc;
            Store256(c, add, c20, c21); c += ldc;
            Store256(c, add, c30, c31); c += ldc;
            Store256(c, add, c40, c41); c += ldc;
            Store256(c, add, c50, c51);
            return;
        }
        Vector256.Store(c00, tile); Vector256.Store(c01, tile + 8);
        Vector256.Store(c10, tile + 16); Vector256.Store(c11, tile + 24);
        Vector256.Store(c20, tile + 32); Vector256.Store(c21, tile + 40);
        Vector256.Store(c30, tile + 48); Vector256.Store(c31, tile + 56);
        Vector256.Store(c40, tile + 64); Vector256.Store(c41, tile + 72);
        Vector256.Store(c50, tile + 80); Vector256.Store(c51, tile + 88);
        StorePartial(tile, 16, c, ldc, add, mr, nr);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(float* c, bool add, Vector256<float> v0, Vector256<float> v1)
    {
        if (add)
        {
            v0 += Vector256.Load(c);
            v1 += Vector256.Load(c + 8);
        }
        Vector256.Store(v0, c);
        Vector256.Store(v1, c + 8);
    }

    private static void StorePartial(float* tile, int tileWidth, float* c, int ldc, bool add, int mr, int nr)
    {
        for (var i = 0; i < mr; i++)
        {
            var row = c + (long)i * ldc;
            var src = tile + i * tileWidth;
            if (add) for (var j = 0; j < nr; j++) row[j] += src[j];
            else for (var j = 0; j < nr; j++) row[j] = src[j];
        }
    }

    private static void Epilogue(float* c, int ldc, int m0, int m1, int jc, int nc, float[]? bias, Activation activation)
    {
        for (var i = m0; i < m1; i++)
        {
            var row = new Span<float>(c + (long)i * ldc + jc, nc);
            if (bias is not null) TensorPrimitives.Add(row, bias.AsSpan(jc, nc), row);
            Activations.Apply(activation, row);
        }
    }
}
