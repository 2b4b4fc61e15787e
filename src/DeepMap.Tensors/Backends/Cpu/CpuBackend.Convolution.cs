using System.Numerics.Tensors;

namespace DeepMap.Tensors.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void Im2Col(Storage x, Storage columns, in Conv2DGeometry g)
    {
        var xv = A(x);
        var cv = A(columns);
        var geometry = g;
        var width = g.Batch * g.OutPixels;
        ForChunks(g.Batch, (long)g.Patch * g.OutPixels, (xv, cv, geometry, width), static (in (float[] X, float[] C, Conv2DGeometry G, int Width) st, int n0, int n1) =>
        {
            for (var n = n0; n < n1; n++) Im2ColImage(st.X, st.C, st.G, n, st.Width);
        });
    }

    private static void Im2ColImage(float[] x, float[] columns, in Conv2DGeometry g, int n, int width)
    {
        if (g.Stride == 1 && g.OutHeight == g.Height && g.OutWidth == g.Width)
        {
            Im2ColImageSame(x, columns, g, n, width);
            return;
        }
        for (var c = 0; c < g.Channels; c++)
        {
            var plane = x.AsSpan((n * g.Channels + c) * g.Height * g.Width, g.Height * g.Width);
            for (var ky = 0; ky < g.KernelHeight; ky++)
                for (var kx = 0; kx < g.KernelWidth; kx++)
                {
                    var row = (c * g.KernelHeight + ky) * g.KernelWidth + kx;
                    var dst = columns.AsSpan(row * width + n * g.OutPixels, g.OutPixels);
                    for (var oy = 0; oy < g.OutHeight; oy++)
                    {
                        var iy = oy * g.Stride - g.PadTop + ky;
                        var line = dst.Slice(oy * g.OutWidth, g.OutWidth);
                        if (iy < 0 || iy >= g.Height)
                        {
                            line.Clear();
                            continue;
                        }
                        var src = plane.Slice(iy * g.Width, g.Width);
                        if (g.Stride == 1)
                        {
                            // ix = ox − padLeft + kx: one contiguous run, zero outside the image.
                            var shift = kx - g.PadLeft;
                            var first = Math.Max(0, -shift);
                            var last = Math.Min(g.OutWidth, g.Width - shift);
                            line[..first].Clear();
                            if (last > first) src.Slice(first + shift, last - first).CopyTo(line[first..]);
                            line[Math.Max(first, last)..].Clear();
                        }
                        else
                        {
                            for (var ox = 0; ox < g.OutWidth; ox++)
                            {
                                var ix = ox * g.Stride - g.PadLeft + kx;
                                line[ox] = ix >= 0 && ix < g.Width ? src[ix] : 0;
                            }
                        }
                    }
                }
        }
    }

    /// <summary>
    /// Stride 1 with the output the size of the input: each column row is the whole plane shifted by
    /// (dy·W + dx), so it is one contiguous copy, then the pixels that wrapped across a row edge are zeroed.
    /// </summary>
    private static void Im2ColImageSame(float[] x, float[] columns, in Conv2DGeometry g, int n, int width)
    {
        var plane = g.Height * g.Width;
        for (var c = 0; c < g.Channels; c++)
        {
            var src = x.AsSpan((n * g.Channels + c) * plane, plane);
            for (var ky = 0; ky < g.KernelHeight; ky++)
                for (var kx = 0; kx < g.KernelWidth; kx++)
                {
                    var row = (c * g.KernelHeight + ky) * g.KernelWidth + kx;
                    var dst = columns.AsSpan(row * width + n * plane, plane);
                    int dy = ky - g.PadTop, dx = kx - g.PadLeft;
                    if (Math.Abs(dx) >= g.Width || Math.Abs(dy) >= g.Height)
                    {
                        dst.Clear();
                        continue;
                    }
                    var shift = dy * g.Width + dx;
                    var first = Math.Max(0, -shift);
                    var last = Math.Min(plane, plane - shift);
                    dst[..first].Clear();
                    src.Slice(first + shift, last - first).CopyTo(dst[first..]);
                    dst[last..].Clear();
                    // Rows that fall outside the image vertically were copied from a neighbouring row: zero them.
                    if (dy < 0) dst[..(Math.Min(g.Height, -dy) * g.Width)].Clear();
                    if (dy > 0) dst[(Math.Max(0, g.Height - dy) * g.Width)..].Clear();
                    if (dx > 0)
                        for (var oy = 0; oy < g.Height; oy++) dst.Slice(oy * g.Width + g.Width - dx, dx).Clear();
                    else if (dx < 0)
                        for (var oy = 0; oy < g.Height; oy++) dst.Slice(oy * g.Width, -dx).Clear();
                }
        }
    }

    public void Col2Im(Storage columns, Storage dx, in Conv2DGeometry g)
    {
        var cv = A(columns);
        var dv = A(dx);
        var geometry = g;
        var width = g.Batch * g.OutPixels;
        ForChunks(g.Batch, (long)g.Patch * g.OutPixels, (cv, dv, geometry, width), static (in (float[] C, float[] D, Conv2DGeometry G, int Width) st, int n0, int n1) =>
        {
            for (var n = n0; n < n1; n++) Col2ImImage(st.C, st.D, st.G, n, st.Width);
        });
    }

    private static void Col2ImImage(float[] columns, float[] dx, in Conv2DGeometry g, int n, int width)
    {
        dx.AsSpan(n * g.Channels * g.Height * g.Width, g.Channels * g.Height * g.Width).Clear();
        for (var c = 0; c < g.Channels; c++)
        {
            var plane = dx.AsSpan((n * g.Channels + c) * g.Height * g.Width, g.Height * g.Width);
            for (var ky = 0; ky < g.KernelHeight; ky++)
                for (var kx = 0; kx < g.KernelWidth; kx++)
                {
                    var row = (c * g.KernelHeight + ky) * g.KernelWidth + kx;
                    var src = columns.AsSpan(row * width + n * g.OutPixels, g.OutPixels);
                    for (var oy = 0; oy < g.OutHeight; oy++)
                    {
                        var iy = oy * g.Stride - g.PadTop + ky;
                        if (iy < 0 || iy >= g.Height) continue;
                        var line = src.Slice(oy * g.OutWidth, g.OutWidth);
                        var dst = plane.Slice(iy * g.Width, g.Width);
                        if (g.Stride == 1)
                        {
                            var shift = kx - g.PadLeft;
                            var first = Math.Max(0, -shift);
                            var last = Math.Min(g.OutWidth, g.Width - shift);
                            if (last > first)
                            {
                                var target = dst.Slice(first + shift, last - first);
                                TensorPrimitives.Add(target, line[first..last], target);
                            }
                        }
                        else
                        {
                            for (var ox = 0; ox < g.OutWidth; ox++)
                            {
                                var ix = ox * g.Stride - g.PadLeft + kx;
                                if (ix >= 0 && ix < g.Width) dst[ix] += line[ox];
                            }
                        }
                    }
                }
        }
    }

    public void ChannelBiasActivation(Storage y, Storage bias, int batch, int channels, int inner, Activation activation)
    {
        var yv = A(y);
        var bv = A(bias);
        ForChunks(batch * channels, inner, (yv, bv, channels, inner, activation), static (in (float[] Y, float[] B, int Channels, int Inner, Activation Activation) st, int p0, int p1) =>
        {
            var (yv, bv, channels, inner, activation) = st;
            for (var p = p0; p < p1; p++)
            {
                var span = yv.AsSpan(p * inner, inner);
                TensorPrimitives.Add(span, bv[p % channels], span);
                Activations.Apply(activation, span);
            }
        });
    }
}
