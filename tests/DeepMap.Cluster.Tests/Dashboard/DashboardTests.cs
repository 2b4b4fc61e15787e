using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DeepMap.Cluster.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser (Debian's Chromium driven by Playwright) against a real coordinator and worker
/// process: the members and jobs tables, the loss chart growing while a Fashion-MNIST job trains, and the test
/// metrics once it succeeds. Leaves a screenshot in the test's output directory.
/// </summary>
public sealed class DashboardTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_dashboard_shows_the_cluster_and_a_training_job_live_until_its_test_accuracy()
    {
        using var cluster = ProcessCluster.Start(workers: 1, "/usr/share/datasets");
        var api = cluster.Api;
        var http = cluster.Http;
        await cluster.WaitForWorkers(1);
        var created = await http.PostAsync("/api/jobs", new StringContent(FashionMnistJob.Spec("fashion-mnist-dashboard", epochs: 3, batchSize: 64, partitions: 2, validationSplit: 0.1)));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.Launch(playwright);
        var errors = new List<string>();
        var page = await Chromium.NewPage(browser, errors);
        var streamed = false;
        page.Request += (_, r) => streamed |= r.Url.EndsWith($"/api/jobs/{id}/events", StringComparison.Ordinal);
        Assert.Equal(200, (await page.GotoAsync(api + "/"))?.Status);

        // The cluster: the coordinator and the worker, with the worker's device.
        var members = page.Locator("#members tbody tr[data-address]");
        await Expect(members).ToHaveCountAsync(2, new() { Timeout = 15_000 });
        await Expect(page.Locator("#members")).ToContainTextAsync("cpu-simd");
        await Expect(page.Locator("#members")).ToContainTextAsync("coordinator");

        // The job: in the table, selected by default (the newest running job), running.
        var row = page.Locator($"#jobs tbody tr[data-job-id='{id}']");
        await Expect(row).ToContainTextAsync("fashion-mnist-dashboard", new() { Timeout = 15_000 });
        await Expect(page.Locator("#job")).ToHaveAttributeAsync("data-job-id", id);
        await Expect(page.Locator("#job-state")).ToHaveTextAsync("running", new() { Timeout = 30_000 });

        // The loss chart grows while the job runs.
        var chart = page.Locator("#loss-chart");
        var first = await WaitForPoints(chart, atLeast: 2, TimeSpan.FromSeconds(30));
        var firstStep = await page.Locator("#job-stats [data-name='Step'] dd").TextContentAsync();
        await Task.Delay(TimeSpan.FromSeconds(4));
        var second = Points(await chart.GetAttributeAsync("data-points"));
        var secondStep = await page.Locator("#job-stats [data-name='Step'] dd").TextContentAsync();
        output.WriteLine($"loss chart: {first} points, 4 s later {second} (step {firstStep} → {secondStep})");
        var running = Path.Combine(AppContext.BaseDirectory, "dashboard-running.png");
        await page.ScreenshotAsync(new() { Path = running, FullPage = true });
        output.WriteLine($"screenshot while running: {running}");
        Assert.True(second > first, $"the loss chart did not grow: {first} then {second} points (step {firstStep} → {secondStep})");
        Assert.NotEqual(firstStep, secondStep);
        Assert.True(streamed, "the page did not subscribe to the job's events");
        // The worker's throughput in the members table, measured between polls of the job list while it trains.
        await Expect(page.Locator("#members thead th").Nth(4)).ToHaveTextAsync("Samples/s");
        await Expect(page.Locator("#members tbody tr", new() { HasText = "cpu-simd" }).Locator("td[data-name='throughput']"))
            .ToHaveTextAsync(new Regex(@"^[1-9][\d,]*$"), new() { Timeout = 15_000 });

        // Until the end: training and validation points on the metric chart, then the test metrics, the digest and the download.
        await Expect(page.Locator("#job-state")).ToHaveTextAsync("succeeded", new() { Timeout = 75_000 });
        var status = await http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}");
        var accuracy = status.GetProperty("test").GetProperty("accuracy").GetDouble();
        output.WriteLine($"test accuracy {accuracy}");
        await Expect(page.Locator("#job-test [data-name='accuracy'] dd")).ToHaveTextAsync(accuracy.ToString("F4", CultureInfo.InvariantCulture));
        await Expect(page.Locator("#job-sha")).ToHaveTextAsync(status.GetProperty("weights_sha256").GetString()!);
        await Expect(page.Locator("#download-model")).ToBeVisibleAsync();
        await Expect(page.Locator("#download-model")).ToHaveAttributeAsync("href", $"/api/jobs/{id}/model");
        await Expect(page.Locator("#cancel-job")).ToBeHiddenAsync();
        await Expect(page.Locator("#job-error")).ToBeHiddenAsync();
        await Expect(page.Locator("#metric-chart")).ToHaveAttributeAsync("data-points", "7"); // 3 epochs of training and validation, the test point
        Assert.True(Points(await chart.GetAttributeAsync("data-points")) > second);

        var screenshot = Path.Combine(AppContext.BaseDirectory, "dashboard.png");
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        output.WriteLine($"screenshot: {screenshot}");
        Assert.Empty(errors);
    }

    private static int Points(string? attribute) => int.Parse(attribute ?? "0", CultureInfo.InvariantCulture);

    private static async Task<int> WaitForPoints(ILocator chart, int atLeast, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var points = Points(await chart.GetAttributeAsync("data-points"));
            if (points >= atLeast) return points;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the loss chart has {points} points after {timeout}");
            await Task.Delay(200);
        }
    }
}
