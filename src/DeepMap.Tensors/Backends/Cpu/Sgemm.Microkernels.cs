using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepMap.Tensors.Backends.Cpu;

internal static unsafe partial class Sgemm
{
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
}
