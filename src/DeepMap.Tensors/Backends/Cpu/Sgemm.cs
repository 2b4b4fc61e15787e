using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace DeepMap.Tensors.Backends.Cpu;

/// <summary>
/// Packed, register-blocked single-precision GEMM in the BLIS style: B is packed into NR-wide column strips,
/// A into MR-tall row strips, and a microkernel keeps an MR×NR tile of C in registers across the K block.
/// Threads take disjoint rectangles of C, and every element's K reduction runs in the same order whatever the
/// split, so results are bit-identical for any thread count.
/// </summary>
internal static unsafe partial class Sgemm
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
