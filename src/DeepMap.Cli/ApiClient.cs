using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace DeepMap.Cli;

/// <summary>The coordinator's HTTP API, the only thing the CLI talks to. Errors become <see cref="CliException"/>s.</summary>
public sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;

    public ApiClient(string baseUrl, string? token)
    {
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new CliException($"--api: '{baseUrl}' is not an http(s) URL", ExitCodes.BadInput);
        BaseUrl = baseUrl.TrimEnd('/');
        _http = new HttpClient { BaseAddress = new Uri(BaseUrl + "/"), Timeout = Timeout.InfiniteTimeSpan };
        if (!string.IsNullOrEmpty(token)) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public string BaseUrl { get; }

    public Task<JsonElement> Get(string path, CancellationToken cancellation = default) => Send(HttpMethod.Get, path, null, "", cancellation);

    /// <summary>Posts a job spec (YAML or JSON; the coordinator reads either) or, with <paramref name="contentType"/>, another body.</summary>
    public Task<JsonElement> Post(string path, string? body, CancellationToken cancellation = default, string contentType = "application/yaml") =>
        Send(HttpMethod.Post, path, body, contentType, cancellation);

    public async Task<byte[]> GetBytes(string path, CancellationToken cancellation = default)
    {
        using var response = await Call(() => _http.GetAsync(path.TrimStart('/'), cancellation));
        await ThrowOnError(response, cancellation);
        return await response.Content.ReadAsByteArrayAsync(cancellation);
    }

    /// <summary>Server-sent events of a path: each "data:" payload as JSON, until the server ends the stream.</summary>
    public async IAsyncEnumerable<JsonElement> Events(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await Call(() => _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation));
        await ThrowOnError(response, cancellation);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellation));
        while (await reader.ReadLineAsync(cancellation) is { } line)
            if (line.StartsWith("data:", StringComparison.Ordinal))
                yield return JsonDocument.Parse(line[5..].Trim()).RootElement.Clone();
    }

    private async Task<JsonElement> Send(HttpMethod method, string path, string? body, string contentType, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, contentType);
        using var response = await Call(() => _http.SendAsync(request, cancellation));
        await ThrowOnError(response, cancellation);
        var text = await response.Content.ReadAsStringAsync(cancellation);
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<HttpResponseMessage> Call(Func<Task<HttpResponseMessage>> call)
    {
        try
        {
            return await call();
        }
        catch (HttpRequestException e) when (e.StatusCode is null)
        {
            throw new CliException($"cannot reach the coordinator at {BaseUrl} ({e.Message}); is it running? (deepmap local up)", ExitCodes.Unreachable);
        }
    }

    private static async Task ThrowOnError(HttpResponseMessage response, CancellationToken cancellation)
    {
        if (response.IsSuccessStatusCode) return;
        var text = await response.Content.ReadAsStringAsync(cancellation);
        string message;
        try
        {
            var json = JsonDocument.Parse(text).RootElement;
            var error = json.TryGetProperty("error", out var e) ? e.GetString() : text;
            message = json.TryGetProperty("path", out var p) && p.GetString() is { Length: > 0 } path ? $"{path}: {error}" : error ?? text;
        }
        catch (JsonException)
        {
            message = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        }
        throw new CliException(message, response.StatusCode switch
        {
            HttpStatusCode.BadRequest or HttpStatusCode.NotFound or HttpStatusCode.Conflict => ExitCodes.BadInput,
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ExitCodes.BadInput,
            _ => ExitCodes.Unreachable,
        });
    }

    public void Dispose() => _http.Dispose();
}
