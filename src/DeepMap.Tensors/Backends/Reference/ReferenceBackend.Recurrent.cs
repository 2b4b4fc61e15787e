namespace DeepMap.Tensors.Backends.Reference;

public sealed partial class ReferenceBackend
{
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
}
