using System.Security.Cryptography;
using System.Text;

namespace DeepMap.Coordinator.Api;

/// <summary>
/// With DEEPMAP_TOKEN set, every API call and /metrics need `Authorization: Bearer TOKEN` (or `?access_token=` for the
/// dashboard's event stream, which browsers cannot give headers). Health probes and the page itself stay open.
/// </summary>
public static class TokenAuthentication
{
    public static void UseToken(this WebApplication app, string? token)
    {
        if (token is null) return;
        var expected = Encoding.UTF8.GetBytes(token);
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (!path.StartsWithSegments("/api") && !path.StartsWithSegments("/metrics"))
            {
                await next();
                return;
            }
            var header = context.Request.Headers.Authorization.ToString();
            var given = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : context.Request.Query["access_token"].ToString();
            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), expected))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsJsonAsync(new { error = "this coordinator needs its API token: --token, DEEPMAP_TOKEN, or Authorization: Bearer" });
                return;
            }
            await next();
        });
    }
}
