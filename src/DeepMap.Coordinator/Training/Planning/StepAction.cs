using DeepMap.Protocol.ParameterServer;
using DeepMap.Protocol.Training;

namespace DeepMap.Coordinator.Training.Planning;

/// <summary>What a step planner asks its trainer to do, in the order given.</summary>
public abstract record StepAction
{
    /// <summary>Ask partition k to compute its gradient for a step.</summary>
    public sealed record AskPartition(int Partition, long Step) : StepAction;

    /// <summary>Tell every parameter-server shard which partitions (and carried late parts) make a step.</summary>
    public sealed record CloseStep(long Step, int[] Partitions, ParameterServerCommands.LatePart[] Carried) : StepAction;

    /// <summary>A batch's training metrics count towards the epoch.</summary>
    public sealed record CountMetrics(int Partition, long Step, MetricSum[] Metrics) : StepAction;

    /// <summary>A step's worth of training is applied: the job has done Steps steps, at this mean loss over Samples.</summary>
    public sealed record StepDone(long Steps, double Loss, long Samples) : StepAction;

    /// <summary>
    /// Read every shard's weights and optimizer state at Version; after recording the boundary the cursor stands at,
    /// the trainer calls <see cref="StepPlanner.StateRead"/> to go on.
    /// </summary>
    public sealed record ReadState(long Version) : StepAction;

    /// <summary>(Re)arm the step timer: the planner hears <see cref="StepPlanner.TimedOut"/> with this step.</summary>
    public sealed record StartTimeout(long Step) : StepAction;

    /// <summary>The job waits, and says for what (logged and shown in its status).</summary>
    public sealed record Waiting(string Reason) : StepAction;
}
