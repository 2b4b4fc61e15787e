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

    [Fact]
    public void The_final_line_says_where_backup_partitions_left_stragglers_out_and_keeps_a_nan_metric_as_text() =>
        Assert.Equal("succeeded: test loss NaN, test accuracy 0.8750; weights_sha256 ab12; left out of steps: akka.tcp://deepmap@10.0.0.7:4053 459, akka.tcp://deepmap@10.0.0.8:4053 3",
            JobView.Final(JsonDocument.Parse(Succeeded.Replace("0.5,", "\"NaN\",").Replace("RESUMED",
                ",\"node_left_out\":{\"akka.tcp://deepmap@10.0.0.7:4053\":459,\"akka.tcp://deepmap@10.0.0.8:4053\":3}")).RootElement));

    private static JsonElement Running(string extra = "") => JsonDocument.Parse(
        "{\"id\":\"j\",\"state\":\"running\",\"epoch\":2,\"epochs\":3,\"step\":15,\"steps\":60,\"loss\":0.71," +
        "\"validation\":{\"loss\":0.9,\"accuracy\":0.8125},\"samples_per_second\":812.4" + extra + "}").RootElement;

    [Fact]
    public void The_progress_line_has_the_epoch_a_bar_of_the_steps_the_loss_the_metric_the_throughput_and_the_eta() =>
        Assert.Equal("epoch 2/3 [#####---------------] step 15/60  loss 0.7100  val_accuracy 0.8125  812 samples/s  ETA 1:05",
            JobView.Progress(Running(), TimeSpan.FromSeconds(65)));

    [Fact]
    public void A_stalled_job_s_progress_line_ends_with_what_it_waits_for() =>
        Assert.Equal("epoch 2/3 [#####---------------] step 15/60  loss 0.7100  val_accuracy 0.8125  812 samples/s  (step 15: waiting for partitions 1)",
            JobView.Progress(Running(",\"waiting\":\"step 15: waiting for partitions 1\"")));

    [Fact]
    public void A_finished_job_has_a_full_bar_and_no_eta() =>
        Assert.Equal("epoch 3/3 [####################] step 60/60  loss 0.7100  val_accuracy 0.8125  812 samples/s",
            JobView.Progress(JsonDocument.Parse(Running().GetRawText().Replace("\"running\"", "\"succeeded\"").Replace("\"step\":15", "\"step\":60").Replace("\"epoch\":2", "\"epoch\":3")).RootElement, TimeSpan.FromSeconds(5)));

    [Fact]
    public void A_job_without_steps_yet_says_it_is_starting() =>
        Assert.Equal("queued: starting (parameter-server shards to start)",
            JobView.Progress(JsonDocument.Parse("{\"state\":\"queued\",\"step\":0,\"steps\":0,\"waiting\":\"parameter-server shards to start\"}").RootElement));
}
