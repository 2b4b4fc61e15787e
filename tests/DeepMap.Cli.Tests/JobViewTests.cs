using System.Text.Json;
using DeepMap.Cli.Output;

namespace DeepMap.Cli.Tests;

public sealed class JobViewTests
{
    private const string Succeeded = """
        {"id":"j","state":"succeeded","test":{"loss":0.5,"accuracy":0.875},"weights_sha256":"ab12"RESUMED}
        """;

    [Fact]
    public void The_final_line_gives_the_test_metrics_and_the_digest() =>
        Assert.Equal("succeeded: test loss 0.5000, test accuracy 0.8750; weights_sha256 ab12",
            JobView.Final(JsonDocument.Parse(Succeeded.Replace("RESUMED", ",\"resumed\":[]")).RootElement));

    [Fact]
    public void The_final_line_says_how_often_a_job_resumed_and_how_many_steps_it_computed_again() =>
        Assert.Equal("succeeded: test loss 0.5000, test accuracy 0.8750; weights_sha256 ab12; resumed 2× from a checkpoint (41 steps computed again)",
            JobView.Final(JsonDocument.Parse(Succeeded.Replace("RESUMED",
                ",\"resumed\":[{\"at\":\"2026-11-29T03:48:33Z\",\"step\":150,\"steps_redone\":30},{\"at\":\"2026-11-29T03:50:00Z\",\"step\":300,\"steps_redone\":11}]")).RootElement));
}
