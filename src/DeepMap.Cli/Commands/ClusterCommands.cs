using System.CommandLine;
using System.Text.Json;
using DeepMap.Cli.Output;

namespace DeepMap.Cli.Commands;

/// <summary>`deepmap cluster show | sharding | leave ADDRESS | down ADDRESS`, in the spirit of pbm's cluster palette.</summary>
public static class ClusterCommands
{
    public static Command Create(GlobalOptions globals, TextWriter output)
    {
        var show = new Command("show", "one line per member: address | [roles] | status | device; then the count\nexample: deepmap cluster show");
        show.SetAction(async (parsed, cancellation) =>
        {
            using var api = globals.Client(parsed);
            var cluster = await api.Get("/api/cluster", cancellation);
            if (parsed.GetValue(globals.Json)) await output.WriteLineAsync(cluster.GetRawText());
            else await PrintMembers(cluster, output);
            return ExitCodes.Ok;
        });
        var sharding = new Command("sharding", "regions, shards and entities per node (partitions on workers, parameter-server shards)\nexample: deepmap cluster sharding");
        sharding.SetAction(async (parsed, cancellation) =>
        {
            using var api = globals.Client(parsed);
            var stats = await api.Get("/api/cluster/sharding", cancellation);
            if (parsed.GetValue(globals.Json))
            {
                await output.WriteLineAsync(stats.GetRawText());
                return ExitCodes.Ok;
            }
            foreach (var r in stats.GetProperty("regions").EnumerateArray())
                await output.WriteLineAsync($"{r.GetProperty("region").GetString(),-9} | {r.GetProperty("node").GetString()} | {r.GetProperty("shards").GetInt32()} shards | {r.GetProperty("entities").GetInt32()} entities");
            return ExitCodes.Ok;
        });
        return new Command("cluster", "see and manage the cluster's members\nexample: deepmap cluster show --api http://coordinator:8080")
        {
            show,
            sharding,
            MemberCommand(globals, output, "leave", "ask a member to leave the cluster gracefully"),
            MemberCommand(globals, output, "down", "mark an unreachable member as down"),
        };
    }

    /// <summary>`cluster show`'s lines for GET /api/cluster; `local status` prints them too.</summary>
    public static async Task PrintMembers(JsonElement cluster, TextWriter output)
    {
        var members = cluster.GetProperty("members").EnumerateArray().ToArray();
        foreach (var m in members)
        {
            var roles = string.Join(", ", m.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
            var device = m.GetProperty("device").ValueKind == JsonValueKind.String ? m.GetProperty("device").GetString() : "-";
            await output.WriteLineAsync($"{m.GetProperty("address").GetString()} | [{roles}] | {m.GetProperty("status").GetString()} | {device}");
        }
        await output.WriteLineAsync($"Count: {members.Length} nodes");
    }

    private static Command MemberCommand(GlobalOptions globals, TextWriter output, string verb, string description)
    {
        var address = new Argument<string>("address") { Description = "the member's address, as `cluster show` prints it" };
        var command = new Command(verb, $"{description}\nexample: deepmap cluster {verb} akka.tcp://deepmap@10.0.0.7:40213") { address };
        command.SetAction(async (parsed, cancellation) =>
        {
            using var api = globals.Client(parsed);
            var member = parsed.GetValue(address)!;
            await api.Post($"/api/cluster/{verb}", JsonSerializer.Serialize(new { address = member }), cancellation, "application/json");
            await output.WriteLineAsync(parsed.GetValue(globals.Json) ? JsonOutput.Of(new { requested = verb, address = member }) : $"{verb}: {member}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
