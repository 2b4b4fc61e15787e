using DeepMap.Tensors.Backends.Ilgpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace DeepMap.Tensors.Backends.Ilgpu;

public sealed partial class IlgpuBackend
{
    public void Gemm(in GemmShape shape, Storage a, Storage b, Storage c, bool accumulate = false, Storage? columnBias = null, Activation activation = Activation.None)
    {
        if (shape.M == 0 || shape.N == 0) return;
        var grid = new Index2D((shape.N + GemmKernel.Tile - 1) / GemmKernel.Tile, (shape.M + GemmKernel.Tile - 1) / GemmKernel.Tile);
        var group = new Index2D(GemmKernel.Threads, GemmKernel.Threads);
        _k.Gemm(new KernelConfig(grid, group), V(a, shape.AOffset), V(b, shape.BOffset), V(c, shape.COffset),
            columnBias is null ? _noBias.View : V(columnBias), shape.M, shape.N, shape.K,
            shape.TransposeA ? 1 : 0, shape.TransposeB ? 1 : 0, accumulate ? 1 : 0, columnBias is null ? 0 : 1, (int)activation);
    }
}
