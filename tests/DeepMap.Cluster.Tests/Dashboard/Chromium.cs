using Microsoft.Playwright;

namespace DeepMap.Cluster.Tests.Dashboard;

/// <summary>Debian's Chromium, headless, driven by Playwright (no browser download: the cluster has no internet).</summary>
internal static class Chromium
{
    public const string Path = "/usr/bin/chromium";

    public static Task<IBrowser> Launch(IPlaywright playwright)
    {
        Assert.True(File.Exists(Path), $"{Path} is missing: apt-get install chromium");
        return playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
        });
    }

    /// <summary>A 1280×900 page that records script errors and console errors into <paramref name="errors"/>.</summary>
    public static async Task<IPage> NewPage(IBrowser browser, List<string> errors)
    {
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) =>
        {
            if (m.Type == "error") errors.Add(m.Text);
        };
        return page;
    }
}
