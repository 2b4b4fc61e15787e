namespace DeepMap.Protocol.Transport;

/// <summary>Who on the receiving node a data-channel frame is for.</summary>
public enum TensorRecipient : byte
{
    /// <summary>The node's parameter-server shard region: gradient slices.</summary>
    ParameterServers = 1,

    /// <summary>The node's weight cache: weight chunks it asked for.</summary>
    WeightCache = 2,
}

/// <summary>How a frame's float arrays are written: as they are, or rounded to IEEE half precision (half the bytes).</summary>
public enum WireEncoding : byte
{
    Float32 = 0,
    Float16 = 1,
}
