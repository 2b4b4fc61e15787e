namespace DeepMap.Tensors.Backends.Ilgpu;

public sealed partial class IlgpuBackend
{
    public void Gather(Storage table, int rows, int width, Storage indices, int count, Storage y)
    {
        if (count == 0 || width == 0) return;
        CheckClassIndices(indices, count, rows);
        _k.Gather(count * width, V(table), rows, width, V(indices), V(y));
    }

    public void ScatterAdd(Storage dy, Storage indices, int count, int width, Storage dTable, int rows)
    {
        if (count == 0 || width == 0) return;
        CheckClassIndices(indices, count, rows);
        _k.ScatterAdd(width, V(dy), V(indices), count, width, V(dTable), rows);
    }

    public void LstmCell(Storage gates, int gatesOffset, Storage cPrev, int cPrevOffset, Storage c, int cOffset, Storage h, int hOffset, int batch, int hidden)
    {
        if (batch * hidden > 0)
            _k.LstmCell(batch * hidden, V(gates, gatesOffset), V(cPrev, cPrevOffset), V(c, cOffset), V(h, hOffset), hidden);
    }

    public void LstmCellBackward(Storage gates, int gatesOffset, Storage cPrev, int cPrevOffset, Storage c, int cOffset, Storage dh, int dhOffset, Storage dc, Storage dGates, int dGatesOffset, int batch, int hidden)
    {
        if (batch * hidden > 0)
            _k.LstmCellBackward(batch * hidden, V(gates, gatesOffset), V(cPrev, cPrevOffset), V(c, cOffset), V(dh, dhOffset), V(dc), V(dGates, dGatesOffset), hidden);
    }
}
