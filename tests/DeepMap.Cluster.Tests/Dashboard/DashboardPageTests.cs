using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DeepMap.Cluster.Tests.Dashboard;

/// <summary>
/// The dashboard's page against an API played by the test (Playwright answers every request: the page's files from
/// wwwroot, the API from here), for what a healthy cluster does not show: hostile text, a stalled step, a failed
/// job, and the API going away.
/// </summary>
public sealed class DashboardPageTests(ITestOutputHelper output)
{
    private const string Origin = "http://dashboard.test";
    private const string HostileName = "<img src=x onerror=\"window.__injected = 1\">";
    private const string Stall = "step 12: waiting for partitions 0, 1 (asked again)";
    private const string Error = "<b>loss became NaN</b> at epoch 1, step 3; the last good checkpoint is kept";

    private static readonly string WebRoot = Path.Combine(Repository.Root, "src", "DeepMap.Coordinator", "wwwroot");

    [Fact]
    public async Task Text_from_the_api_stays_text_a_stall_and_an_error_show_and_an_unreachable_api_raises_a_banner()
    {
        var now = DateTimeOffset.UtcNow;
        var stalled = Job("stalled-1", HostileName, "running", now, waiting: Stall);
        stalled["resumed"] = new[] { new { at = now, step = 150, steps_redone = 30 } };
        stalled["node_left_out"] = new Dictionary<string, long> { ["akka.tcp://deepmap@127.0.0.1:4200"] = 41 };
        var failed = Job("failed-2", "mlp", "failed", now.AddMinutes(-5), error: Error);
        var reachable = true;
        var jobPolls = 0;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.Launch(playwright);
        var errors = new List<string>();
        var page = await Chromium.NewPage(browser, errors);
        await page.RouteAsync(Origin + "/**", async route =>
        {
            var path = new Uri(route.Request.Url).AbsolutePath;
            if (!path.StartsWith("/api/", StringComparison.Ordinal))
                await ServeFile(route, path);
            else if (!reachable)
                await route.AbortAsync("connectionrefused");
            else if (path == "/api/cluster")
                await Json(route, new { members = new object[] { Member(4053, ["coordinator", "ps"], null), Member(4100, ["worker"], "cpu-simd (1 thread, Vector512)") } });
            else if (path == "/api/jobs")
            {
                // The worker computes 640 samples between any two polls, so its throughput is a positive number.
                stalled["node_samples"] = new Dictionary<string, long> { ["akka.tcp://deepmap@127.0.0.1:4100"] = 768 + 640 * ++jobPolls };
                await Json(route, new[] { failed, stalled });
            }
            else if (path == "/api/jobs/stalled-1/events")
                await route.FulfillAsync(new() { Status = 200, ContentType = "text/event-stream", Body = $"event: status\ndata: {JsonSerializer.Serialize(stalled)}\n\n" });
            else
                await route.FulfillAsync(new() { Status = 404, ContentType = "application/json", Body = "{\"error\":\"not here\"}" });
        });
        await page.GotoAsync(Origin + "/");

        // The running job is selected; its name is text, not markup, and its stall report shows.
        await Expect(page.Locator("#job")).ToHaveAttributeAsync("data-job-id", "stalled-1");
        await Expect(page.Locator("#job-name")).ToHaveTextAsync(HostileName);
        await Expect(page.Locator("#jobs tbody tr[data-job-id='stalled-1'] .name")).ToHaveTextAsync(HostileName);
        await Expect(page.Locator("#job-waiting")).ToBeVisibleAsync();
        await Expect(page.Locator("#job-waiting")).ToContainTextAsync(Stall);
        // A coordinator restart and a straggler left out of steps (backup partitions) show too.
        await Expect(page.Locator("#job-resumed")).ToContainTextAsync("from the checkpoint at step 150 (30 steps computed again)");
        await Expect(page.Locator("#job-nodes tbody tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("#job-nodes tbody tr", new() { HasText = "127.0.0.1:4200" }).Locator("td.left-out")).ToHaveTextAsync("41");
        await Expect(page.Locator("#job-nodes th.left-out")).ToBeVisibleAsync();
        await Expect(page.Locator("#cancel-job")).ToBeVisibleAsync();
        await Expect(page.Locator("#download-model")).ToBeHiddenAsync();
        await Expect(page.Locator("#loss-chart")).ToHaveAttributeAsync("data-points", "6"); // 3 steps, raw and smoothed
        // The members' throughput, from how the worker's samples grow between polls; the coordinator computes none.
        await Expect(page.Locator("#members thead th").Nth(4)).ToHaveTextAsync("Samples/s");
        await Expect(page.Locator("#members tr[data-address$=':4100'] td[data-name='throughput']")).ToHaveTextAsync(new Regex(@"^[1-9][\d,]*$"), new() { Timeout = 10_000 });
        await Expect(page.Locator("#members tr[data-address$=':4053'] td[data-name='throughput']")).ToHaveTextAsync("—");
        var screenshot = Path.Combine(AppContext.BaseDirectory, "dashboard-stalled.png");
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        output.WriteLine($"screenshot: {screenshot}");

        // The failed job, picked from the table: its error as text, no cancel, no download.
        await page.Locator("#jobs tbody tr[data-job-id='failed-2']").ClickAsync();
        await Expect(page.Locator("#job-state")).ToHaveTextAsync("failed");
        await Expect(page.Locator("#job-error")).ToContainTextAsync(Error);
        await Expect(page.Locator("#job-waiting")).ToBeHiddenAsync();
        await Expect(page.Locator("#job-resumed")).ToBeHiddenAsync();
        await Expect(page.Locator("#job-nodes th.left-out")).ToBeHiddenAsync();
        await Expect(page.Locator("#cancel-job")).ToBeHiddenAsync();
        await Expect(page.Locator("#download-model")).ToBeHiddenAsync();
        Assert.Equal(0, await page.Locator("main img, main b").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("() => window.__injected ?? null"));

        // The API goes away: a banner, the last known state kept; it comes back: the banner goes.
        reachable = false;
        await Expect(page.Locator("#banner")).ToContainTextAsync("unreachable", new() { Timeout = 10_000 });
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "offline");
        await Expect(page.Locator("#jobs tbody tr[data-job-id]")).ToHaveCountAsync(2);
        reachable = true;
        await Expect(page.Locator("#banner")).ToBeHiddenAsync(new() { Timeout = 10_000 });
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");
        Assert.DoesNotContain(errors, e => !e.Contains("ERR_CONNECTION_REFUSED", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_metric_chart_plots_the_training_metric_next_to_the_validation_one()
    {
        var job = Job("done-3", "mlp", "succeeded", DateTimeOffset.UtcNow);
        job["test"] = new Dictionary<string, double> { ["loss"] = 0.5, ["accuracy"] = 0.84 };
        job["curve"] = new[] { (1, 0.71, 0.74), (2, 0.8, 0.79), (3, 0.86, 0.82) }.Select(p => new
        {
            step = 33 * p.Item1, epoch = p.Item1, loss = 1.0 / p.Item1,
            validation = new Dictionary<string, double> { ["loss"] = 1.1 / p.Item1, ["accuracy"] = p.Item3 },
            training = new Dictionary<string, double> { ["accuracy"] = p.Item2 },
        });

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.Launch(playwright);
        var errors = new List<string>();
        var page = await Chromium.NewPage(browser, errors);
        await page.RouteAsync(Origin + "/**", async route =>
        {
            var path = new Uri(route.Request.Url).AbsolutePath;
            if (!path.StartsWith("/api/", StringComparison.Ordinal)) await ServeFile(route, path);
            else if (path == "/api/cluster") await Json(route, new { members = new[] { Member(4053, ["coordinator", "ps"], null) } });
            else if (path == "/api/jobs") await Json(route, new[] { job });
            else await route.FulfillAsync(new() { Status = 404, ContentType = "application/json", Body = "{\"error\":\"not here\"}" });
        });
        await page.GotoAsync(Origin + "/");

        await Expect(page.Locator("#job")).ToHaveAttributeAsync("data-job-id", "done-3");
        await Expect(page.Locator("#metric-chart-title")).ToHaveTextAsync("Metric: accuracy");
        await Expect(page.Locator("#metric-chart")).ToHaveAttributeAsync("data-points", "7"); // 3 epochs of training and validation, the test point
        Assert.Empty(errors);
    }

    private static object Member(int port, string[] roles, string? device) =>
        new { address = $"akka.tcp://deepmap@127.0.0.1:{port}", roles, status = "up", device };

    private static Dictionary<string, object?> Job(string id, string name, string state, DateTimeOffset submitted, string? waiting = null, string? error = null) => new()
    {
        ["id"] = id, ["name"] = name, ["state"] = state, ["epoch"] = 1, ["epochs"] = 3, ["step"] = 12, ["steps"] = 100,
        ["loss"] = 0.71, ["metrics"] = new { }, ["validation"] = new { }, ["test"] = new { }, ["samples_per_second"] = 812.5,
        ["weights_sha256"] = null, ["error"] = error, ["waiting"] = waiting, ["submitted"] = submitted, ["finished"] = state == "running" ? null : submitted.AddMinutes(1),
        ["curve"] = new[] { (4, 1.9), (8, 1.2), (12, 0.71) }.Select(p => new { step = p.Item1, epoch = p.Item1 / 33.0, loss = p.Item2, validation = (object?)null }),
        ["node_samples"] = new Dictionary<string, long> { ["akka.tcp://deepmap@127.0.0.1:4100"] = 768 },
    };

    private static Task Json(IRoute route, object body) =>
        route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = JsonSerializer.Serialize(body) });

    private static Task ServeFile(IRoute route, string path)
    {
        var file = Path.GetFullPath(Path.Combine(WebRoot, path == "/" ? "index.html" : path.TrimStart('/')));
        if (!file.StartsWith(WebRoot, StringComparison.Ordinal) || !File.Exists(file))
            return route.FulfillAsync(new() { Status = 404 });
        var type = Path.GetExtension(file) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            _ => "application/octet-stream",
        };
        return route.FulfillAsync(new() { Status = 200, ContentType = type, BodyBytes = File.ReadAllBytes(file) });
    }
}
