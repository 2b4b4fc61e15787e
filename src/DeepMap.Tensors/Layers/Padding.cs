namespace DeepMap.Tensors.Layers;

public enum Padding
{
    /// <summary>Output size ⌈input / stride⌉; the input is zero-padded evenly (the extra pixel at the end).</summary>
    Same,

    /// <summary>Only windows that fit inside the input.</summary>
    Valid,
}
