using YamlDotNet.RepresentationModel;

namespace DeepMap.Cluster.Tests.Deploy;

/// <summary>
/// docker-compose.yml and docker-compose.cpu.yml, validated and normalized by `docker-compose config` and checked
/// against what the images and nodes expect. No Docker engine runs here: this is what can be known without one.
/// </summary>
public sealed class ComposeFileTests
{
    [Fact]
    public void Compose_file_runs_a_coordinator_with_its_ports_volumes_and_token_and_workers_that_scale_on_gpus()
    {
        var config = Compose.Config("docker-compose.yml");
        var services = config.Map("services").Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Order().ToArray();
        Assert.Equal(["coordinator", "worker"], services);

        var coordinator = config.Service("coordinator");
        var env = coordinator.Environment();
        var published = coordinator.Seq("ports").Cast<YamlMappingNode>().ToDictionary(p => p.Text("target")!, p => p.Text("published")!);
        Assert.Equal("8080", published.GetValueOrDefault("8080"));
        Assert.Equal("4053", published.GetValueOrDefault(env["DEEPMAP_PORT"]));
        // Workers on other hosts send gradients to the coordinator's tensor data channel.
        Assert.Equal(env["DEEPMAP_DATA_PORT"], published.GetValueOrDefault(env["DEEPMAP_DATA_PORT"]));
        Assert.EndsWith(":8080", env["DEEPMAP_API"]);
        Assert.Equal(Compose.Token, env["DEEPMAP_TOKEN"]);
        var written = new YamlStream();
        written.Load(new StringReader(File.ReadAllText(Path.Combine(Repository.Root, "docker-compose.yml"))));
        var writtenCoordinator = ((YamlMappingNode)written.Documents[0].RootNode).Service("coordinator");
        Assert.False(writtenCoordinator.Map("environment").Has("DEEPMAP_TOKEN"), "the token is written into docker-compose.yml");
        Assert.Single(writtenCoordinator.Seq("env_file"));

        var volumes = coordinator.Seq("volumes").Select(v => ((YamlScalarNode)v).Value!.Split(':')).ToArray();
        Assert.Contains(volumes, v => v is ["state", var target, "rw"] && target == env["DEEPMAP_STATE"]);
        Assert.Contains(volumes, v => v is [var source, var target, "ro"] && source == Compose.ExamplesData && target == env["DEEPMAP_DATA"]);
        Assert.True(config.Map("volumes").Has("state"), "the state volume is not declared");

        var worker = config.Service("worker");
        var workerEnv = worker.Environment();
        Assert.False(worker.Has("container_name") || worker.Has("ports"), "a worker with a fixed name or published ports cannot be scaled");
        Assert.Equal($"{env["DEEPMAP_HOST"]}:{env["DEEPMAP_PORT"]}", workerEnv["DEEPMAP_SEEDS"]);
        Assert.Equal(env["DEEPMAP_HOST"], coordinator.Text("hostname"));
        Assert.Equal("auto", workerEnv["DEEPMAP_HOST"]);
        Assert.Equal("service_healthy", worker.Map("depends_on").Map("coordinator").Text("condition"));

        var gpu = Assert.IsType<YamlMappingNode>(Assert.Single(worker.Map("deploy").Map("resources").Map("reservations").Seq("devices")));
        Assert.Equal("nvidia", gpu.Text("driver"));
        Assert.Contains("gpu", gpu.Seq("capabilities").Select(c => ((YamlScalarNode)c).Value));
        Assert.NotEqual("cpu", workerEnv["DEEPMAP_DEVICE"]);
    }

    [Fact]
    public void Compose_healthchecks_ask_the_readiness_endpoint_the_images_check_and_the_nodes_serve()
    {
        var config = Compose.Config("docker-compose.yml");
        var coordinator = config.Service("coordinator");
        var worker = config.Service("worker");
        var coordinatorPort = new Uri(coordinator.Environment()["DEEPMAP_API"]).Port;
        var workerPort = worker.Environment().GetValueOrDefault("DEEPMAP_HEALTH_PORT") ?? Dockerfile.Read("worker.Dockerfile").Environment["DEEPMAP_HEALTH_PORT"];
        AssertReadiness(coordinator, $"http://127.0.0.1:{coordinatorPort}/readyz", Dockerfile.Read("coordinator.Dockerfile"));
        AssertReadiness(worker, $"http://127.0.0.1:{workerPort}/readyz", Dockerfile.Read("worker.Dockerfile"));
    }

    private static void AssertReadiness(YamlMappingNode service, string url, Dockerfile image)
    {
        var test = service.Map("healthcheck").Seq("test").Select(t => ((YamlScalarNode)t).Value!).ToArray();
        Assert.Equal(["CMD", "curl", "-fsS", url], test);
        Assert.Contains($"curl -fsS {url}", image.HealthCheck);
        var grace = Shutdown.ParseDuration(service.Text("stop_grace_period")!);
        Assert.True(grace > Shutdown.Longest, $"stop_grace_period {grace} must outlast the cluster's shutdown phases ({Shutdown.Longest})");
    }

    [Fact]
    public void Cpu_compose_file_is_the_same_cluster_with_cpu_workers_and_no_gpu_reservation()
    {
        var gpu = Compose.Config("docker-compose.yml");
        var cpu = Compose.Config("docker-compose.cpu.yml");
        Assert.Equal(Canonical(gpu.Service("coordinator")), Canonical(cpu.Service("coordinator")));

        var cpuWorker = cpu.Service("worker");
        Assert.False(cpuWorker.Has("deploy"), "the CPU worker still reserves a device:\n" + Compose.Dump(cpuWorker));
        Assert.Equal("cpu", cpuWorker.Environment()["DEEPMAP_DEVICE"]);

        // Apart from the device and the reservation, the two workers are one definition.
        var gpuWorker = gpu.Service("worker");
        gpuWorker.Children.Remove(new YamlScalarNode("deploy"));
        Assert.Equal(Canonical(gpuWorker).Replace("DEEPMAP_DEVICE: auto", "DEEPMAP_DEVICE: cpu"), Canonical(cpuWorker));
    }

    /// <summary>A service as text, its ports and volumes in a fixed order (`extends` may list them in another).</summary>
    private static string Canonical(YamlMappingNode service)
    {
        var copy = new YamlMappingNode();
        foreach (var (key, value) in service.Children)
            copy.Add(key, ((YamlScalarNode)key).Value is "ports" or "volumes"
                ? new YamlSequenceNode(((YamlSequenceNode)value).OrderBy(Compose.Dump, StringComparer.Ordinal))
                : value);
        return Compose.Dump(copy);
    }
}
