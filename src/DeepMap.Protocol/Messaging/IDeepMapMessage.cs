namespace DeepMap.Protocol.Messaging;

/// <summary>Every message the nodes exchange; bound to <see cref="ProtocolSerializer"/>, so none falls back to another serializer.</summary>
public interface IDeepMapMessage;

/// <summary>A message that carries float arrays: they travel raw after a small header, never through JSON.</summary>
public interface ITensorMessage : IDeepMapMessage
{
    IReadOnlyList<float[]> Tensors { get; }

    ITensorMessage WithTensors(IReadOnlyList<float[]> tensors);
}

/// <summary>A message for data partition <see cref="Partition"/> of a job: the sharded entity "{job}/{partition}".</summary>
public interface IPartitionMessage : IDeepMapMessage
{
    string JobId { get; }

    int Partition { get; }
}

/// <summary>A message for parameter-server shard <see cref="Shard"/> of a job: the sharded entity "{job}/{shard}".</summary>
public interface IParameterServerMessage : IDeepMapMessage
{
    string JobId { get; }

    int Shard { get; }
}
