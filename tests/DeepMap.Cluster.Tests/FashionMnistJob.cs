namespace DeepMap.Cluster.Tests;

/// <summary>A Fashion-MNIST MLP job spec for tests that need a real dataset and a job that runs for a while.</summary>
internal static class FashionMnistJob
{
    public static string Spec(string name, int epochs, int batchSize, int partitions, double validationSplit = 0) => $$"""
        name: {{name}}
        seed: 3
        data:
          format: idx
          train_images: fashion-mnist/train-images-idx3-ubyte.gz
          train_labels: fashion-mnist/train-labels-idx1-ubyte.gz
          test_images: fashion-mnist/t10k-images-idx3-ubyte.gz
          test_labels: fashion-mnist/t10k-labels-idx1-ubyte.gz
          scale: unit
          validation_split: {{validationSplit}}
        model:
          input: [784]
          layers:
            - dense: {units: 128, activation: relu}
            - dense: {units: 10}
        loss: cross_entropy
        optimizer: {type: adam, lr: 0.002}
        metrics: [accuracy]
        epochs: {{epochs}}
        batch_size: {{batchSize}}
        partitions: {{partitions}}
        ps_shards: 2
        checkpoint_every: 1000
        """;
}
