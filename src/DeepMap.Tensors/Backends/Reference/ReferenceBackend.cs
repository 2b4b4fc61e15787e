using DeepMap.Tensors.Randomness;

namespace DeepMap.Tensors.Backends.Reference;

/// <summary>
/// Float64, single-threaded, written as plainly as the math: the oracle that gradient checks and the fast backends'
/// conformance tests compare against. Never used to train.
/// </summary>
public sealed class ReferenceBackend : IBackend
{
    public static ReferenceBackend Instance { get; } = new();

    public string Name => "reference-float64";

    public int ElementSize => 8;

    public Storage Allocate(int length) => new ReferenceStorage(this, length);

    public void Release(Storage storage) { }

    private static double[] D(Storage s) => ((ReferenceStorage)s).Data;

    public void Upload(ReadOnlySpan<float> source, Storage destination, int destinationOffset = 0)
    {
        var d = D(destination);
        for (var i = 0; i < source.Length; i++) d[destinationOffset + i] = source[i];
    }

    public void Download(Storage source, Span<float> destination, int sourceOffset = 0)
    {
        var s = D(source);
        for (var i = 0; i < destination.Length; i++) destination[i] = (float)s[sourceOffset + i];
    }

    public void UploadDouble(ReadOnlySpan<double> source, Storage destination) => source.CopyTo(D(destination));

    public void DownloadDouble(Storage source, Span<double> destination) => D(source).AsSpan(0, destination.Length).CopyTo(destination);

    public void Fill(Storage destination, double value) => Array.Fill(D(destination), value);

    public void CopyRows(Storage source, int sourceOffset, int sourceStride, Storage destination, int destinationOffset, int destinationStride, int rows, int rowLength)
    {
        var s = D(source);
        var d = D(destination);
        for (var r = 0; r < rows; r++)
            for (var i = 0; i < rowLength; i++)
                d[destinationOffset + r * destinationStride + i] = s[sourceOffset + r * sourceStride + i];
    }

    public void Binary(BinaryOp op, Storage a, ReadOnlySpan<int> aShape, Storage b, ReadOnlySpan<int> bShape, Storage y, ReadOnlySpan<int> yShape)
    {
        var av = D(a);
        var bv = D(b);
        var yv = D(y);
        var n = ShapeMath.Size(yShape);
        Span<int> index = stackalloc int[yShape.Length];
        for (var flat = 0; flat < n; flat++)
        {
            ShapeMath.Unravel(flat, yShape, index);
            var x1 = av[ShapeMath.BroadcastOffset(index, aShape)];
            var x2 = bv[ShapeMath.BroadcastOffset(index, bShape)];
            yv[flat] = op switch
            {
                BinaryOp.Add => x1 + x2,
                BinaryOp.Sub => x1 - x2,
                BinaryOp.Mul => x1 * x2,
                BinaryOp.Div => x1 / x2,
                _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
            };
        }
    }

    public void Unary(UnaryOp op, Storage x, Storage y, int length)
    {
        var xv = D(x);
        var yv = D(y);
        for (var i = 0; i < length; i++) yv[i] = Apply(op, xv[i]);
    }

    private static double Apply(UnaryOp op, double v) => op switch
    {
        UnaryOp.Neg => -v,
        UnaryOp.Exp => Math.Exp(v),
        UnaryOp.Log => Math.Log(v),
        UnaryOp.Sqrt => Math.Sqrt(v),
        UnaryOp.Square => v * v,
        UnaryOp.Relu => v > 0 ? v : 0,
        UnaryOp.Sigmoid => 1 / (1 + Math.Exp(-v)),
        UnaryOp.Tanh => Math.Tanh(v),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    public void UnaryBackward(UnaryOp op, Storage x, Storage y, Storage dy, Storage dx, int length)
    {
        var xv = D(x);
        var yv = D(y);
        var g = D(dy);
        var o = D(dx);
        for (var i = 0; i < length; i++)
        {
            o[i] = g[i] * op switch
            {
                UnaryOp.Neg => -1,
                UnaryOp.Exp => yv[i],
                UnaryOp.Log => 1 / xv[i],
                UnaryOp.Sqrt => 0.5 / yv[i],
                UnaryOp.Square => 2 * xv[i],
                UnaryOp.Relu => xv[i] > 0 ? 1 : 0,
                UnaryOp.Sigmoid => yv[i] * (1 - yv[i]),
                UnaryOp.Tanh => 1 - yv[i] * yv[i],
                _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
            };
        }
    }

    public void Scale(Storage x, Storage y, int length, double alpha, double beta)
    {
        var xv = D(x);
        var yv = D(y);
        for (var i = 0; i < length; i++) yv[i] = alpha * xv[i] + (beta == 0 ? 0 : beta * yv[i]);
    }

    public void ReduceSum(Storage x, ReadOnlySpan<int> xShape, Storage y, ReadOnlySpan<int> yShape)
    {
        var xv = D(x);
        var yv = D(y);
        Array.Clear(yv, 0, ShapeMath.Size(yShape));
        Span<int> index = stackalloc int[xShape.Length];
        var n = ShapeMath.Size(xShape);
        for (var flat = 0; flat < n; flat++)
        {
            ShapeMath.Unravel(flat, xShape, index);
            yv[ShapeMath.BroadcastOffset(index, yShape)] += xv[flat];
        }
    }

    public void ReduceMax(Storage x, int outer, int axis, int inner, Storage max, Storage argMax)
    {
        var xv = D(x);
        var mv = D(max);
        var av = D(argMax);
        for (var o = 0; o < outer; o++)
            for (var i = 0; i < inner; i++)
            {
                var best = double.NegativeInfinity;
                var bestIndex = 0;
                for (var a = 0; a < axis; a++)
                {
                    var v = xv[(o * axis + a) * inner + i];
                    if (v > best || double.IsNaN(v) && !double.IsNaN(best)) { best = v; bestIndex = a; }
                }
                mv[o * inner + i] = best;
                av[o * inner + i] = bestIndex;
            }
    }

    public void Permute(Storage x, ReadOnlySpan<int> xShape, ReadOnlySpan<int> permutation, Storage y)
    {
        var xv = D(x);
        var yv = D(y);
        Span<int> yShape = stackalloc int[xShape.Length];
        for (var i = 0; i < yShape.Length; i++) yShape[i] = xShape[permutation[i]];
        Span<int> yIndex = stackalloc int[xShape.Length];
        Span<int> xIndex = stackalloc int[xShape.Length];
        var n = ShapeMath.Size(xShape);
        for (var flat = 0; flat < n; flat++)
        {
            ShapeMath.Unravel(flat, yShape, yIndex);
            for (var i = 0; i < yIndex.Length; i++) xIndex[permutation[i]] = yIndex[i];
            yv[flat] = xv[ShapeMath.Ravel(xIndex, xShape)];
        }
    }

    public void Gemm(in GemmShape s, Storage a, Storage b, Storage c, bool accumulate = false, Storage? columnBias = null, Activation activation = Activation.None)
    {
        var av = D(a);
        var bv = D(b);
        var cv = D(c);
        var bias = columnBias is null ? null : D(columnBias);
        for (var i = 0; i < s.M; i++)
            for (var j = 0; j < s.N; j++)
            {
                double sum = 0;
                for (var p = 0; p < s.K; p++)
                {
                    var x = s.TransposeA ? av[s.AOffset + p * s.M + i] : av[s.AOffset + i * s.K + p];
                    var w = s.TransposeB ? bv[s.BOffset + j * s.K + p] : bv[s.BOffset + p * s.N + j];
                    sum += x * w;
                }
                var at = s.COffset + i * s.N + j;
                var v = (accumulate ? cv[at] : 0) + sum + (bias?[j] ?? 0);
                cv[at] = Activate(activation, v);
            }
    }

    private static double Activate(Activation activation, double v) => activation switch
    {
        Activation.None => v,
        Activation.Relu => v > 0 ? v : 0,
        Activation.Sigmoid => 1 / (1 + Math.Exp(-v)),
        Activation.Tanh => Math.Tanh(v),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, null),
    };

    public void Softmax(Storage x, Storage y, int rows, int cols)
    {
        var xv = D(x);
        var yv = D(y);
        for (var r = 0; r < rows; r++)
        {
            var max = double.NegativeInfinity;
            for (var j = 0; j < cols; j++) max = Math.Max(max, xv[r * cols + j]);
            double sum = 0;
            for (var j = 0; j < cols; j++) sum += yv[r * cols + j] = Math.Exp(xv[r * cols + j] - max);
            for (var j = 0; j < cols; j++) yv[r * cols + j] /= sum;
        }
    }

    public void SoftmaxBackward(Storage y, Storage dy, Storage dx, int rows, int cols)
    {
        var yv = D(y);
        var g = D(dy);
        var o = D(dx);
        for (var r = 0; r < rows; r++)
        {
            double dot = 0;
            for (var j = 0; j < cols; j++) dot += g[r * cols + j] * yv[r * cols + j];
            for (var j = 0; j < cols; j++) o[r * cols + j] = yv[r * cols + j] * (g[r * cols + j] - dot);
        }
    }

    public void SoftmaxCrossEntropy(Storage logits, Storage targets, bool targetsAreIndices, int rows, int cols, Storage rowLoss, Storage gradient, double gradientScale)
    {
        var x = D(logits);
        var t = D(targets);
        var loss = D(rowLoss);
        var grad = D(gradient);
        for (var r = 0; r < rows; r++)
        {
            var max = double.NegativeInfinity;
            for (var j = 0; j < cols; j++) max = Math.Max(max, x[r * cols + j]);
            double sum = 0;
            for (var j = 0; j < cols; j++) sum += Math.Exp(x[r * cols + j] - max);
            var logSum = Math.Log(sum) + max;
            double l = 0;
            for (var j = 0; j < cols; j++)
            {
                var target = targetsAreIndices ? (ClassLabels.Index(t[r], cols, r) == j ? 1.0 : 0.0) : t[r * cols + j];
                var logP = x[r * cols + j] - logSum;
                l -= target * logP;
                grad[r * cols + j] = (Math.Exp(logP) - target) * gradientScale;
            }
            loss[r] = l;
        }
    }


    public void SigmoidCrossEntropy(Storage logits, Storage targets, int length, Storage loss, Storage gradient, double gradientScale)
    {
        var x = D(logits);
        var t = D(targets);
        var l = D(loss);
        var g = D(gradient);
        for (var i = 0; i < length; i++)
        {
            l[i] = Math.Max(x[i], 0) - x[i] * t[i] + Math.Log(1 + Math.Exp(-Math.Abs(x[i])));
            g[i] = (1 / (1 + Math.Exp(-x[i])) - t[i]) * gradientScale;
        }
    }

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

    public void DropoutMask(Storage mask, int length, ulong seed, double keep)
    {
        var m = D(mask);
        for (var i = 0; i < length; i++) m[i] = DropoutRule.Keeps(seed, i, keep) ? 1 / keep : 0;
    }

    public void Gather(Storage table, int rows, int width, Storage indices, int count, Storage y)
    {
        var t = D(table);
        var ix = D(indices);
        var yv = D(y);
        for (var i = 0; i < count; i++)
        {
            var row = ClassLabels.Index(ix[i], rows, i);
            Array.Copy(t, row * width, yv, i * width, width);
        }
    }

    public void ScatterAdd(Storage dy, Storage indices, int count, int width, Storage dTable, int rows)
    {
        var g = D(dy);
        var ix = D(indices);
        var t = D(dTable);
        for (var i = 0; i < count; i++)
        {
            var row = ClassLabels.Index(ix[i], rows, i);
            for (var j = 0; j < width; j++) t[row * width + j] += g[i * width + j];
        }
    }

    public void LstmCell(Storage gates, int gatesOffset, Storage cPrev, int cPrevOffset, Storage c, int cOffset, Storage h, int hOffset, int batch, int hidden)
    {
        var gv = D(gates);
        var cp = D(cPrev);
        var cv = D(c);
        var hv = D(h);
        for (var b = 0; b < batch; b++)
        {
            var row = gatesOffset + b * 4 * hidden;
            for (var j = 0; j < hidden; j++)
            {
                var i = gv[row + j] = 1 / (1 + Math.Exp(-gv[row + j]));
                var f = gv[row + hidden + j] = 1 / (1 + Math.Exp(-gv[row + hidden + j]));
                var g = gv[row + 2 * hidden + j] = Math.Tanh(gv[row + 2 * hidden + j]);
                var o = gv[row + 3 * hidden + j] = 1 / (1 + Math.Exp(-gv[row + 3 * hidden + j]));
                var cell = cv[cOffset + b * hidden + j] = f * cp[cPrevOffset + b * hidden + j] + i * g;
                hv[hOffset + b * hidden + j] = o * Math.Tanh(cell);
            }
        }
    }

    public void LstmCellBackward(Storage gates, int gatesOffset, Storage cPrev, int cPrevOffset, Storage c, int cOffset, Storage dh, int dhOffset, Storage dc, Storage dGates, int dGatesOffset, int batch, int hidden)
    {
        var gv = D(gates);
        var cp = D(cPrev);
        var cv = D(c);
        var dhv = D(dh);
        var dcv = D(dc);
        var dg = D(dGates);
        for (var b = 0; b < batch; b++)
        {
            var row = gatesOffset + b * 4 * hidden;
            var dRow = dGatesOffset + b * 4 * hidden;
            for (var j = 0; j < hidden; j++)
            {
                double i = gv[row + j], f = gv[row + hidden + j], g = gv[row + 2 * hidden + j], o = gv[row + 3 * hidden + j];
                var tanhC = Math.Tanh(cv[cOffset + b * hidden + j]);
                var dhj = dhv[dhOffset + b * hidden + j];
                var dcj = dcv[b * hidden + j] + dhj * o * (1 - tanhC * tanhC);
                dg[dRow + j] = dcj * g * i * (1 - i);
                dg[dRow + hidden + j] = dcj * cp[cPrevOffset + b * hidden + j] * f * (1 - f);
                dg[dRow + 2 * hidden + j] = dcj * i * (1 - g * g);
                dg[dRow + 3 * hidden + j] = dhj * tanhC * o * (1 - o);
                dcv[b * hidden + j] = dcj * f;
            }
        }
    }

    public void SgdStep(Storage parameter, Storage gradient, int length, double learningRate, double weightDecay)
    {
        var p = D(parameter);
        var g = D(gradient);
        for (var i = 0; i < length; i++) p[i] -= learningRate * (g[i] + weightDecay * p[i]);
    }

    public void MomentumStep(Storage parameter, Storage gradient, Storage velocity, int length, double learningRate, double momentum, bool nesterov)
    {
        var p = D(parameter);
        var g = D(gradient);
        var v = D(velocity);
        for (var i = 0; i < length; i++)
        {
            v[i] = momentum * v[i] + g[i];
            p[i] -= learningRate * (nesterov ? g[i] + momentum * v[i] : v[i]);
        }
    }

    public void AdamStep(Storage parameter, Storage gradient, Storage m, Storage v, int length, double learningRate, double beta1, double beta2, double epsilon, double weightDecay, long step)
    {
        var p = D(parameter);
        var g = D(gradient);
        var mv = D(m);
        var vv = D(v);
        var correction1 = 1 - Math.Pow(beta1, step);
        var correction2 = 1 - Math.Pow(beta2, step);
        for (var i = 0; i < length; i++)
        {
            mv[i] = beta1 * mv[i] + (1 - beta1) * g[i];
            vv[i] = beta2 * vv[i] + (1 - beta2) * g[i] * g[i];
            var update = mv[i] / correction1 / (Math.Sqrt(vv[i] / correction2) + epsilon);
            p[i] -= learningRate * (update + weightDecay * p[i]);
        }
    }
}
