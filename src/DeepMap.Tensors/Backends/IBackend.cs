namespace DeepMap.Tensors.Backends;

/// <summary>
/// The narrow set of coarse kernels that tensors, layers, losses and optimizers are built from. Autograd never knows
/// which backend runs; a backend never knows about autograd. Every kernel is deterministic: the same inputs give the
/// same bits whatever the thread count, because no output's reduction is split across threads in a varying order.
/// Shapes passed to broadcasting kernels have equal rank (the caller left-pads with ones).
/// </summary>
public interface IBackend
{
    /// <summary>What runs the kernels, for logs and the cluster view: "cpu-simd (2 threads, Vector512)".</summary>
    string Name { get; }

    /// <summary>Element width of this backend's storage: 4 (float32) or 8 (the float64 reference).</summary>
    int ElementSize { get; }

    /// <summary>A buffer whose contents are undefined; <see cref="Release"/> returns it to the pool.</summary>
    Storage Allocate(int length);

    void Release(Storage storage);

    void Upload(ReadOnlySpan<float> source, Storage destination, int destinationOffset = 0);

    void Download(Storage source, Span<float> destination, int sourceOffset = 0);

    /// <summary>Full-precision access, for the float64 reference and gradient checks; float backends round.</summary>
    void UploadDouble(ReadOnlySpan<double> source, Storage destination);

    void DownloadDouble(Storage source, Span<double> destination);

    void Fill(Storage destination, double value);

    /// <summary>Copies <paramref name="rows"/> runs of <paramref name="rowLength"/> elements between strided positions.</summary>
    void CopyRows(Storage source, int sourceOffset, int sourceStride, Storage destination, int destinationOffset, int destinationStride, int rows, int rowLength);

    /// <summary>y = a op b, broadcasting dimensions of size 1.</summary>
    void Binary(BinaryOp op, Storage a, ReadOnlySpan<int> aShape, Storage b, ReadOnlySpan<int> bShape, Storage y, ReadOnlySpan<int> yShape);

    void Unary(UnaryOp op, Storage x, Storage y, int length);

    /// <summary>dx = dy · f'(x), given the forward input x and output y (each op reads the one it needs).</summary>
    void UnaryBackward(UnaryOp op, Storage x, Storage y, Storage dy, Storage dx, int length);

    /// <summary>y = alpha · x + beta · y.</summary>
    void Scale(Storage x, Storage y, int length, double alpha, double beta);

    /// <summary>Sums x over the dimensions where yShape has 1 and xShape does not (the adjoint of broadcasting).</summary>
    void ReduceSum(Storage x, ReadOnlySpan<int> xShape, Storage y, ReadOnlySpan<int> yShape);

    /// <summary>Max over the middle axis of [outer, axis, inner], with the winning index (first on ties) as a float.</summary>
    void ReduceMax(Storage x, int outer, int axis, int inner, Storage max, Storage argMax);

    /// <summary>y = x transposed by <paramref name="permutation"/> (y's axis i is x's axis permutation[i]).</summary>
    void Permute(Storage x, ReadOnlySpan<int> xShape, ReadOnlySpan<int> permutation, Storage y);

    /// <summary>C = op(A)·op(B) (+ C when accumulate), then + bias per column and the activation when given.</summary>
    void Gemm(in GemmShape shape, Storage a, Storage b, Storage c, bool accumulate = false, Storage? columnBias = null, Activation activation = Activation.None);

    /// <summary>Row-wise softmax of [rows, cols], stable for any input (the row max is subtracted).</summary>
    void Softmax(Storage x, Storage y, int rows, int cols);

    /// <summary>dx = y ⊙ (dy − rowsum(dy ⊙ y)).</summary>
    void SoftmaxBackward(Storage y, Storage dy, Storage dx, int rows, int cols);

    /// <summary>
    /// Cross-entropy of logits against class indices ([rows], as floats) or target distributions ([rows, cols]):
    /// loss per row, and the gradient (softmax − target) · gradientScale. Throws on an index out of range.
    /// </summary>
    void SoftmaxCrossEntropy(Storage logits, Storage targets, bool targetsAreIndices, int rows, int cols, Storage rowLoss, Storage gradient, double gradientScale);

    /// <summary>Elementwise binary cross-entropy of logits x against targets t, stable for large |x|; gradient (σ(x) − t) · scale.</summary>
    void SigmoidCrossEntropy(Storage logits, Storage targets, int length, Storage loss, Storage gradient, double gradientScale);

    /// <summary>x [N,C,H,W] → columns [C·kh·kw, N·OH·OW]; padding reads as zero.</summary>
    void Im2Col(Storage x, Storage columns, in Conv2DGeometry g);

    /// <summary>The adjoint of <see cref="Im2Col"/>: overwrites dx [N,C,H,W] with the sum of the columns' contributions.</summary>
    void Col2Im(Storage columns, Storage dx, in Conv2DGeometry g);

    /// <summary>Adds bias[c] to every element of channel c in [N, C, inner], then the activation.</summary>
    void ChannelBiasActivation(Storage y, Storage bias, int batch, int channels, int inner, Activation activation);

    /// <summary>Max pooling of each [H, W] plane; argMax holds the winner's index within its plane.</summary>
    void MaxPool2D(Storage x, Storage y, Storage argMax, in Conv2DGeometry g);

    /// <summary>Overwrites dx with dy routed to each window's winner.</summary>
    void MaxPool2DBackward(Storage dy, Storage argMax, Storage dx, in Conv2DGeometry g);

    /// <summary>mask = 1/keep with probability keep, else 0, from a counter-based hash of (seed, element): reproducible anywhere.</summary>
    void DropoutMask(Storage mask, int length, ulong seed, double keep);

    /// <summary>y[i, :] = table[index[i], :]; an index outside the table throws.</summary>
    void Gather(Storage table, int rows, int width, Storage indices, int count, Storage y);

    /// <summary>dTable[index[i], :] += dy[i, :], in index order.</summary>
    void ScatterAdd(Storage dy, Storage indices, int count, int width, Storage dTable, int rows);

    /// <summary>
    /// One LSTM step: gates [B, 4H] hold pre-activations (i, f, g, o) and are replaced by activations;
    /// c = f ⊙ cPrev + i ⊙ g; h = o ⊙ tanh(c).
    /// </summary>
    void LstmCell(Storage gates, int gatesOffset, Storage cPrev, int cPrevOffset, Storage c, int cOffset, Storage h, int hOffset, int batch, int hidden);

    /// <summary>
    /// The step's backward: from activated gates, cPrev, c, dh and the incoming dc (replaced in place by dcPrev),
    /// writes the pre-activation gate gradients.
    /// </summary>
    void LstmCellBackward(Storage gates, int gatesOffset, Storage cPrev, int cPrevOffset, Storage c, int cOffset, Storage dh, int dhOffset, Storage dc, Storage dGates, int dGatesOffset, int batch, int hidden);

    void SgdStep(Storage parameter, Storage gradient, int length, double learningRate, double weightDecay);

    /// <summary>PyTorch's momentum: v = μv + g; p −= lr·v, or with Nesterov p −= lr·(g + μv).</summary>
    void MomentumStep(Storage parameter, Storage gradient, Storage velocity, int length, double learningRate, double momentum, bool nesterov);

    /// <summary>Adam with bias correction and decoupled weight decay (AdamW): p −= lr·(m̂/(√v̂+ε) + wd·p).</summary>
    void AdamStep(Storage parameter, Storage gradient, Storage m, Storage v, int length, double learningRate, double beta1, double beta2, double epsilon, double weightDecay, long step);
}
