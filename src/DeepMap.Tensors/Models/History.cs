namespace DeepMap.Tensors.Models;

/// <summary>What <see cref="Sequential.Fit"/> measured at the end of each epoch ("loss", "mae", "val_loss", …).</summary>
public sealed class History
{
    private readonly List<IReadOnlyDictionary<string, double>> _epochs = [];

    public IReadOnlyList<IReadOnlyDictionary<string, double>> Epochs => _epochs;

    /// <summary>One metric across epochs.</summary>
    public double[] this[string name]
    {
        get
        {
            if (_epochs.Count > 0 && !_epochs.Any(e => e.ContainsKey(name)))
                throw new KeyNotFoundException($"no '{name}' in the history; it has {string.Join(", ", _epochs[^1].Keys.Select(k => $"'{k}'"))}");
            return _epochs.Select(e => e.TryGetValue(name, out var v) ? v : double.NaN).ToArray();
        }
    }

    internal void Add(IReadOnlyDictionary<string, double> values) => _epochs.Add(values);
}
