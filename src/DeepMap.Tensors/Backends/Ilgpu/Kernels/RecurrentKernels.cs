using ILGPU;

namespace DeepMap.Tensors.Backends.Ilgpu.Kernels;

/// <summary>Embedding lookups, the class-index check they and the cross-entropy share, and the LSTM cell.</summary>
internal static class RecurrentKernels
{
    /// <summary>
    /// One thread, in row order, so the first bad row is the one reported, as on the CPU. A fault already recorded
    /// and not yet reported is kept: it happened first. The fault record is [set, row, label bits, classes].
    /// </summary>
    public static void CheckIndices(Index1D _, ArrayView<float> labels, int count, int classes, ArrayView<int> fault)
    {
        if (fault[0] != 0) return;
        for (var r = 0; r < count; r++)
        {
            var label = labels[r];
            var index = (int)label;
            if (index == label && index >= 0 && index < classes) continue;
            fault[1] = r;
            fault[2] = (int)Interop.FloatAsInt(label);
            fault[3] = classes;
            fault[0] = 1;
            return;
        }
    }

    public static void Gather(Index1D i, ArrayView<float> table, int rows, int width, ArrayView<float> indices, ArrayView<float> y)
    {
        var n = i / width;
        var row = (int)indices[n];
        y[i] = row >= 0 && row < rows ? table[row * width + i - n * width] : 0f;
    }

    /// <summary>One thread per column, adding the rows in index order, as on the CPU.</summary>
    public static void ScatterAdd(Index1D j, ArrayView<float> dy, ArrayView<float> indices, int count, int width, ArrayView<float> table, int rows)
    {
        for (var i = 0; i < count; i++)
        {
            var row = (int)indices[i];
            if (row >= 0 && row < rows) table[row * width + j] += dy[i * width + j];
        }
    }

    /// <summary>One thread per (batch row, unit); the views start at the caller's offsets.</summary>
    public static void Cell(Index1D at, ArrayView<float> gates, ArrayView<float> cPrev, ArrayView<float> c, ArrayView<float> h, int hidden)
    {
        var b = at / hidden;
        var j = at - b * hidden;
        var row = b * 4 * hidden;
        var i = DeviceMath.Sigmoid(gates[row + j]);
        var f = DeviceMath.Sigmoid(gates[row + hidden + j]);
        var g = DeviceMath.Tanh(gates[row + 2 * hidden + j]);
        var o = DeviceMath.Sigmoid(gates[row + 3 * hidden + j]);
        gates[row + j] = i;
        gates[row + hidden + j] = f;
        gates[row + 2 * hidden + j] = g;
        gates[row + 3 * hidden + j] = o;
        var cell = f * cPrev[at] + i * g;
        c[at] = cell;
        h[at] = o * DeviceMath.Tanh(cell);
    }

    public static void CellBackward(Index1D at, ArrayView<float> gates, ArrayView<float> cPrev, ArrayView<float> c, ArrayView<float> dh, ArrayView<float> dc, ArrayView<float> dGates, int hidden)
    {
        var b = at / hidden;
        var j = at - b * hidden;
        var row = b * 4 * hidden;
        var i = gates[row + j];
        var f = gates[row + hidden + j];
        var g = gates[row + 2 * hidden + j];
        var o = gates[row + 3 * hidden + j];
        var t = DeviceMath.Tanh(c[at]);
        var dhj = dh[at];
        var dcj = dc[at] + dhj * o * (1f - t * t);
        dGates[row + j] = dcj * g * i * (1f - i);
        dGates[row + hidden + j] = dcj * cPrev[at] * f * (1f - f);
        dGates[row + 2 * hidden + j] = dcj * i * (1f - g * g);
        dGates[row + 3 * hidden + j] = dhj * t * o * (1f - o);
        dc[at] = dcj * f;
    }
}
