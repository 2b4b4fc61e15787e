using System.Text.Json;
using System.Text.Json.Serialization;
using DeepMap.Protocol.Jobs;

namespace DeepMap.Coordinator.Jobs;

/// <summary>
/// Jobs on disk under the state directory: jobs/{id}/spec.yaml as submitted and jobs/{id}/status.json, written
/// atomically, so a restarted coordinator knows every job it had.
/// </summary>
public sealed class JobStore(string stateDirectory)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // A diverged job's validation or test metric can be NaN or infinite; its status must still be saved and read.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        WriteIndented = true,
    };

    private string JobDirectory(string id) => Path.Combine(stateDirectory, "jobs", id);

    public void SaveSpec(string id, string specText)
    {
        Directory.CreateDirectory(JobDirectory(id));
        WriteAtomically(Path.Combine(JobDirectory(id), "spec.yaml"), specText);
    }

    public string LoadSpec(string id) => File.ReadAllText(Path.Combine(JobDirectory(id), "spec.yaml"));

    public void SaveStatus(JobStatus status)
    {
        Directory.CreateDirectory(JobDirectory(status.Id));
        WriteAtomically(Path.Combine(JobDirectory(status.Id), "status.json"), JsonSerializer.Serialize(status, Json));
    }

    public IEnumerable<JobStatus> LoadAll()
    {
        var root = Path.Combine(stateDirectory, "jobs");
        if (!Directory.Exists(root)) yield break;
        foreach (var directory in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            var file = Path.Combine(directory, "status.json");
            if (!File.Exists(file)) continue;
            JobStatus? status;
            try
            {
                status = JsonSerializer.Deserialize<JobStatus>(File.ReadAllText(file), Json);
            }
            catch (JsonException)
            {
                continue;
            }
            if (status is not null) yield return status;
        }
    }

    public string? ModelPath(string id)
    {
        var path = Path.Combine(JobDirectory(id), "model.safetensors");
        return File.Exists(path) ? path : null;
    }

    private static void WriteAtomically(string path, string text)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}
