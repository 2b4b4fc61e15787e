namespace DeepMap.Tensors.Backends.Reference;

public sealed partial class ReferenceBackend
{
    public void Im2Col(Storage x, Storage columns, in Conv2DGeometry g)
    {
        var xv = D(x);
        var col = D(columns);
        var width = g.Batch * g.OutPixels;
        for (var c = 0; c < g.Channels; c++)
            for (var ky = 0; ky < g.KernelHeight; ky++)
                for (var kx = 0; kx < g.KernelWidth; kx++)
                {
                    var row = (c * g.KernelHeight + ky) * g.KernelWidth + kx;
                    for (var n = 0; n < g.Batch; n++)
                        for (var oy = 0; oy < g.OutHeight; oy++)
                            for (var ox = 0; ox < g.OutWidth; ox++)
                            {
                                var iy = oy * g.Stride - g.PadTop + ky;
                                var ix = ox * g.Stride - g.PadLeft + kx;
                                var inside = iy >= 0 && iy < g.Height && ix >= 0 && ix < g.Width;
                                col[row * width + n * g.OutPixels + oy * g.OutWidth + ox] =
                                    inside ? xv[((n * g.Channels + c) * g.Height + iy) * g.Width + ix] : 0;
                            }
                }
    }

    public void Col2Im(Storage columns, Storage dx, in Conv2DGeometry g)
    {
        var col = D(columns);
        var d = D(dx);
        Array.Clear(d, 0, g.Batch * g.Channels * g.Height * g.Width);
        var width = g.Batch * g.OutPixels;
        for (var c = 0; c < g.Channels; c++)
            for (var ky = 0; ky < g.KernelHeight; ky++)
                for (var kx = 0; kx < g.KernelWidth; kx++)
                {
                    var row = (c * g.KernelHeight + ky) * g.KernelWidth + kx;
                    for (var n = 0; n < g.Batch; n++)
                        for (var oy = 0; oy < g.OutHeight; oy++)
                            for (var ox = 0; ox < g.OutWidth; ox++)
                            {
                                var iy = oy * g.Stride - g.PadTop + ky;
                                var ix = ox * g.Stride - g.PadLeft + kx;
                                if (iy >= 0 && iy < g.Height && ix >= 0 && ix < g.Width)
                                    d[((n * g.Channels + c) * g.Height + iy) * g.Width + ix] += col[row * width + n * g.OutPixels + oy * g.OutWidth + ox];
                            }
                }
    }

    public void ChannelBiasActivation(Storage y, Storage bias, int batch, int channels, int inner, Activation activation)
    {
        var yv = D(y);
        var b = D(bias);
        for (var n = 0; n < batch; n++)
            for (var c = 0; c < channels; c++)
                for (var i = 0; i < inner; i++)
                {
                    var at = (n * channels + c) * inner + i;
                    yv[at] = Activate(activation, yv[at] + b[c]);
                }
    }

    public void MaxPool2D(Storage x, Storage y, Storage argMax, in Conv2DGeometry g)
    {
        var xv = D(x);
        var yv = D(y);
        var av = D(argMax);
        for (var plane = 0; plane < g.Batch * g.Channels; plane++)
            for (var oy = 0; oy < g.OutHeight; oy++)
                for (var ox = 0; ox < g.OutWidth; ox++)
                {
                    var best = double.NegativeInfinity;
                    var bestIndex = -1;
                    for (var ky = 0; ky < g.KernelHeight; ky++)
                        for (var kx = 0; kx < g.KernelWidth; kx++)
                        {
                            var iy = oy * g.Stride - g.PadTop + ky;
                            var ix = ox * g.Stride - g.PadLeft + kx;
                            if (iy < 0 || iy >= g.Height || ix < 0 || ix >= g.Width) continue;
                            var v = xv[plane * g.Height * g.Width + iy * g.Width + ix];
                            if (bestIndex < 0 || v > best) { best = v; bestIndex = iy * g.Width + ix; }
                        }
                    var at = plane * g.OutPixels + oy * g.OutWidth + ox;
                    yv[at] = best;
                    av[at] = bestIndex;
                }
    }

    public void MaxPool2DBackward(Storage dy, Storage argMax, Storage dx, in Conv2DGeometry g)
    {
        var gv = D(dy);
        var av = D(argMax);
        var d = D(dx);
        Array.Clear(d, 0, g.Batch * g.Channels * g.Height * g.Width);
        for (var plane = 0; plane < g.Batch * g.Channels; plane++)
            for (var o = 0; o < g.OutPixels; o++)
                d[plane * g.Height * g.Width + (int)av[plane * g.OutPixels + o]] += gv[plane * g.OutPixels + o];
    }
}
