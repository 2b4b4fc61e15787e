namespace DeepMap.Tensors.IO;

/// <summary>One tensor as a safetensors header lists it: its dtype, shape and byte range [Begin, End) in the data section.</summary>
internal readonly record struct SafeTensorsEntry(string Name, string Dtype, int[] Shape, long Begin, long End);
