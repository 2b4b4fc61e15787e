using ILGPU;

namespace DeepMap.Tensors.Backends.Ilgpu.Kernels;

/// <summary>
/// C[M×N] (+)= op(A)·op(B), then + bias per column and an activation, in one pass. A group of 16×16 threads owns a
/// 64×64 tile of C; each thread keeps a 4×4 block of it in registers (rows ty + 16·r, columns tx + 16·s, so a
/// warp's loads from shared memory are conflict-free and its stores to C coalesce). K advances 16 at a time through
/// shared memory, where both operands are stored k-major whatever their transposition, padded to 65 to spread banks.
/// ILGPU does not unroll loops, so the register block is written out.
/// </summary>
internal static class GemmKernel
{
    public const int Tile = 64;
    public const int Threads = 16;
    private const int Depth = 16;
    private const int Pitch = Tile + 1;
    private const int LoadsPerThread = Tile * Depth / (Threads * Threads);

    public static void Run(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> bias,
        int m, int n, int k, int transposeA, int transposeB, int accumulate, int hasBias, int activation)
    {
        var tileA = SharedMemory.Allocate<float>(Depth * Pitch);
        var tileB = SharedMemory.Allocate<float>(Depth * Pitch);
        var tx = Group.IdxX;
        var ty = Group.IdxY;
        var thread = ty * Threads + tx;
        var row0 = Grid.IdxY * Tile;
        var col0 = Grid.IdxX * Tile;

        float c00 = 0, c01 = 0, c02 = 0, c03 = 0;
        float c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        float c30 = 0, c31 = 0, c32 = 0, c33 = 0;

        for (var k0 = 0; k0 < k; k0 += Depth)
        {
            for (var l = 0; l < LoadsPerThread; l++)
            {
                var e = thread + l * Threads * Threads;
                // Each load walks the operand's contiguous dimension across neighbouring threads.
                int ia, ka, kb, jb;
                if (transposeA != 0) { ka = e / Tile; ia = e - ka * Tile; }
                else { ia = e / Depth; ka = e - ia * Depth; }
                if (transposeB != 0) { jb = e / Depth; kb = e - jb * Depth; }
                else { kb = e / Tile; jb = e - kb * Tile; }
                int gi = row0 + ia, gka = k0 + ka, gj = col0 + jb, gkb = k0 + kb;
                tileA[ka * Pitch + ia] = gi < m && gka < k ? a[transposeA != 0 ? gka * m + gi : gi * k + gka] : 0f;
                tileB[kb * Pitch + jb] = gj < n && gkb < k ? b[transposeB != 0 ? gj * k + gkb : gkb * n + gj] : 0f;
            }
            Group.Barrier();
            for (var kk = 0; kk < Depth; kk++)
            {
                var ak = kk * Pitch + ty;
                var bk = kk * Pitch + tx;
                float a0 = tileA[ak], a1 = tileA[ak + 16], a2 = tileA[ak + 32], a3 = tileA[ak + 48];
                float b0 = tileB[bk], b1 = tileB[bk + 16], b2 = tileB[bk + 32], b3 = tileB[bk + 48];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            Group.Barrier();
        }

        var ctx = new Epilogue(c, bias, m, n, accumulate, hasBias, activation);
        var r = row0 + ty;
        var j = col0 + tx;
        ctx.Row(r, j, c00, c01, c02, c03);
        ctx.Row(r + 16, j, c10, c11, c12, c13);
        ctx.Row(r + 32, j, c20, c21, c22, c23);
        ctx.Row(r + 48, j, c30, c31, c32, c33);
    }

    /// <summary>Writes one thread's four values of a row of C, bounds-checked, with accumulate, bias and activation.</summary>
    private readonly struct Epilogue(ArrayView<float> c, ArrayView<float> bias, int m, int n, int accumulate, int hasBias, int activation)
    {
        public void Row(int row, int column, float v0, float v1, float v2, float v3)
        {
            if (row >= m) return;
            Store(row, column, v0);
            Store(row, column + 16, v1);
            Store(row, column + 32, v2);
            Store(row, column + 48, v3);
        }

        private void Store(int row, int column, float v)
        {
            if (column >= n) return;
            var at = row * n + column;
            if (accumulate != 0) v += c[at];
            if (hasBias != 0) v += bias[column];
            c[at] = DeviceMath.Activate(activation, v);
        }
    }
}
