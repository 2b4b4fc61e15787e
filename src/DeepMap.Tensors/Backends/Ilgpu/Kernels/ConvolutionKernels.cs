using ILGPU;

namespace DeepMap.Tensors.Backends.Ilgpu.Kernels;

/// <summary>
/// Convolution and pooling over NCHW planes. The backward kernels gather (one thread per input element, summing its
/// contributions in output order) rather than scatter, so they need no atomics and are deterministic.
/// </summary>
internal static class ConvolutionKernels
{
    /// <summary>One thread per column element: columns [C·kh·kw, N·OH·OW].</summary>
    public static void Im2Col(Index1D i, ArrayView<float> x, ArrayView<float> columns, Conv2DGeometry g)
    {
        var width = g.Batch * g.OutPixels;
        var row = i / width;
        var column = i - row * width;
        var n = column / g.OutPixels;
        var pixel = column - n * g.OutPixels;
        var oy = pixel / g.OutWidth;
        var ox = pixel - oy * g.OutWidth;
        var kx = row % g.KernelWidth;
        var ky = row / g.KernelWidth % g.KernelHeight;
        var c = row / (g.KernelWidth * g.KernelHeight);
        var iy = oy * g.Stride - g.PadTop + ky;
        var ix = ox * g.Stride - g.PadLeft + kx;
        var inside = iy >= 0 && iy < g.Height && ix >= 0 && ix < g.Width;
        columns[i] = inside ? x[((n * g.Channels + c) * g.Height + iy) * g.Width + ix] : 0f;
    }

    /// <summary>One thread per input element: the sum of every column entry that read it.</summary>
    public static void Col2Im(Index1D i, ArrayView<float> columns, ArrayView<float> dx, Conv2DGeometry g)
    {
        var width = g.Batch * g.OutPixels;
        var ix = i % g.Width;
        var iy = i / g.Width % g.Height;
        var c = i / (g.Width * g.Height) % g.Channels;
        var n = i / (g.Width * g.Height * g.Channels);
        var sum = 0f;
        for (var ky = 0; ky < g.KernelHeight; ky++)
        {
            var y = iy + g.PadTop - ky;
            if (y < 0 || y % g.Stride != 0 || y / g.Stride >= g.OutHeight) continue;
            var oy = y / g.Stride;
            for (var kx = 0; kx < g.KernelWidth; kx++)
            {
                var x = ix + g.PadLeft - kx;
                if (x < 0 || x % g.Stride != 0 || x / g.Stride >= g.OutWidth) continue;
                var row = (c * g.KernelHeight + ky) * g.KernelWidth + kx;
                sum += columns[row * width + n * g.OutPixels + oy * g.OutWidth + x / g.Stride];
            }
        }
        dx[i] = sum;
    }

    public static void ChannelBiasActivation(Index1D i, ArrayView<float> y, ArrayView<float> bias, int channels, int inner, int activation)
    {
        y[i] = DeviceMath.Activate(activation, y[i] + bias[i / inner % channels]);
    }

    /// <summary>One thread per output; the first maximum in reading order wins, as on the CPU.</summary>
    public static void MaxPool(Index1D i, ArrayView<float> x, ArrayView<float> y, ArrayView<float> argMax, Conv2DGeometry g)
    {
        var plane = i / g.OutPixels;
        var pixel = i - plane * g.OutPixels;
        var oy = pixel / g.OutWidth;
        var ox = pixel - oy * g.OutWidth;
        var input = plane * g.Height * g.Width;
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
                var v = x[input + iy * g.Width + ix];
                if (bestIndex < 0 || v > best)
                {
                    best = v;
                    bestIndex = iy * g.Width + ix;
                }
            }
        }
        y[i] = best;
        argMax[i] = bestIndex;
    }

    /// <summary>One thread per input element: the upstream gradients of the windows it won, in output order.</summary>
    public static void MaxPoolBackward(Index1D i, ArrayView<float> dy, ArrayView<float> argMax, ArrayView<float> dx, Conv2DGeometry g)
    {
        var planeSize = g.Height * g.Width;
        var plane = i / planeSize;
        var at = i - plane * planeSize;
        var iy = at / g.Width;
        var ix = at - iy * g.Width;
        var first = plane * g.OutPixels;
        var oy0 = Math.Max(0, CeilDiv(iy + g.PadTop - g.KernelHeight + 1, g.Stride));
        var oy1 = Math.Min(g.OutHeight - 1, FloorDiv(iy + g.PadTop, g.Stride));
        var ox0 = Math.Max(0, CeilDiv(ix + g.PadLeft - g.KernelWidth + 1, g.Stride));
        var ox1 = Math.Min(g.OutWidth - 1, FloorDiv(ix + g.PadLeft, g.Stride));
        var sum = 0f;
        for (var oy = oy0; oy <= oy1; oy++)
            for (var ox = ox0; ox <= ox1; ox++)
            {
                var o = first + oy * g.OutWidth + ox;
                if ((int)argMax[o] == at) sum += dy[o];
            }
        dx[i] = sum;
    }

    private static int FloorDiv(int a, int b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    private static int CeilDiv(int a, int b) => a >= 0 ? (a + b - 1) / b : -(-a / b);
}
