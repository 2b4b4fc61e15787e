using System.Text.RegularExpressions;
using DeepMap.Protocol.Cluster;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;

namespace DeepMap.Cluster.Tests.Deploy;

/// <summary>
/// deploy/k8s: every file the kustomization lists parses, and the objects fit together — kinds, the workers' seed
/// naming the coordinator pod's stable DNS name under its headless Service exactly as the coordinator advertises it,
/// probes on the ports the nodes serve, the disruption budget, and grace periods longer than the cluster's shutdown.
/// No Kubernetes runs here.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string Folder = Path.Combine(Repository.Root, "deploy", "k8s");

    private static List<YamlMappingNode> Objects()
    {
        var kustomization = Load("kustomization.yaml").Single();
        Assert.Equal("Kustomization", kustomization.Text("kind"));
        var objects = new List<YamlMappingNode>();
        foreach (var file in kustomization.Seq("resources").Select(r => ((YamlScalarNode)r).Value!))
            objects.AddRange(Load(file));
        return objects;
    }

    private static IEnumerable<YamlMappingNode> Load(string file)
    {
        var path = Path.Combine(Folder, file);
        Assert.True(File.Exists(path), $"kustomization.yaml lists {file}, which does not exist");
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(path)));
        return stream.Documents.Select(d => Assert.IsType<YamlMappingNode>(d.RootNode));
    }

    private static YamlMappingNode Single(List<YamlMappingNode> objects, string kind, string name) =>
        Assert.Single(objects, o => o.Text("kind") == kind && o.Map("metadata").Text("name") == name);

    private static YamlMappingNode Container(YamlMappingNode workload) =>
        Assert.IsType<YamlMappingNode>(Assert.Single(workload.Map("spec").Map("template").Map("spec").Seq("containers")));

    private static Dictionary<string, string> Labels(YamlMappingNode workload) =>
        workload.Map("spec").Map("template").Map("metadata").Map("labels").Children.ToDictionary(l => ((YamlScalarNode)l.Key).Value!, l => ((YamlScalarNode)l.Value).Value!);

    private static Dictionary<string, YamlMappingNode> Env(YamlMappingNode container) =>
        container.Seq("env").Cast<YamlMappingNode>().ToDictionary(e => e.Text("name")!, e => e);

    private static Dictionary<string, int> Ports(YamlMappingNode container) =>
        container.Seq("ports").Cast<YamlMappingNode>().ToDictionary(p => p.Text("name")!, p => int.Parse(p.Text("containerPort")!));

    /// <summary>
    /// A container's environment as Kubernetes gives it to the process: downward-API fields taken from
    /// <paramref name="pod"/> (metadata.name, metadata.namespace, status.podIP), and <c>$(NAME)</c> replaced by the value
    /// of a variable defined earlier in the list — a reference to a later or unknown one stays as written, as Kubernetes
    /// leaves it. Secrets stay out: only plain values and field references are expanded.
    /// </summary>
    private static Dictionary<string, string> Expand(YamlMappingNode container, IReadOnlyDictionary<string, string> pod)
    {
        var expanded = new Dictionary<string, string>();
        foreach (var e in container.Seq("env").Cast<YamlMappingNode>())
        {
            var name = e.Text("name")!;
            if (e.Has("value"))
                expanded[name] = Regex.Replace(e.Text("value")!, @"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", m => expanded.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);
            else if (e.Map("valueFrom").Has("fieldRef"))
                expanded[name] = pod[e.Map("valueFrom").Map("fieldRef").Text("fieldPath")!];
        }
        return expanded;
    }

    private static IConfiguration Deepmap(Dictionary<string, string> env) =>
        new ConfigurationBuilder().AddInMemoryCollection(env.Where(e => e.Key.StartsWith("DEEPMAP_", StringComparison.Ordinal))
            .Select(e => new KeyValuePair<string, string?>(e.Key["DEEPMAP_".Length..], e.Value))).Build();

    [Fact]
    public void Manifests_parse_and_hold_the_coordinator_its_services_the_workers_and_the_budget_and_no_rbac()
    {
        var objects = Objects();
        var kinds = objects.Select(o => $"{o.Text("kind")}/{o.Map("metadata").Text("name")}").Order().ToArray();
        Assert.Equal(
            ["Deployment/deepmap-worker", "Namespace/deepmap", "PersistentVolumeClaim/deepmap-data", "PodDisruptionBudget/deepmap-worker",
             "Service/deepmap-api", "Service/deepmap-coordinator", "StatefulSet/deepmap-coordinator"],
            kinds);
        // Nothing asks the Kubernetes API: the pods get no service account token to ask it with.
        foreach (var workload in new[] { Single(objects, "StatefulSet", "deepmap-coordinator"), Single(objects, "Deployment", "deepmap-worker") })
        {
            var pod = workload.Map("spec").Map("template").Map("spec");
            Assert.False(pod.Has("serviceAccountName"), $"{workload.Map("metadata").Text("name")} names a service account");
            Assert.Equal("false", pod.Text("automountServiceAccountToken"));
        }
    }

    [Fact]
    public void The_coordinators_headless_service_selects_its_pods_and_exposes_remoting_before_they_are_ready()
    {
        var objects = Objects();
        var coordinator = Single(objects, "StatefulSet", "deepmap-coordinator");
        var headless = Single(objects, "Service", coordinator.Map("spec").Text("serviceName")!);
        Assert.Equal("None", headless.Map("spec").Text("clusterIP"));
        // The workers resolve the coordinator's name while it is still joining itself (not yet ready).
        Assert.Equal("true", headless.Map("spec").Text("publishNotReadyAddresses"));
        var labels = Labels(coordinator);
        foreach (var (key, value) in headless.Map("spec").Map("selector").Children)
            Assert.Equal(((YamlScalarNode)value).Value, labels.GetValueOrDefault(((YamlScalarNode)key).Value!));
        var container = Container(coordinator);
        var port = Assert.Single(headless.Map("spec").Seq("ports").Cast<YamlMappingNode>(), p => p.Text("port") == "4053");
        Assert.Equal("remoting", port.Text("targetPort"));
        Assert.Equal(4053, Ports(container)["remoting"]);
        Assert.Equal("4053", Env(container)["DEEPMAP_PORT"].Text("value"));
        Assert.Equal(Ports(container)["data"].ToString(), Env(container)["DEEPMAP_DATA_PORT"].Text("value"));
        Assert.Equal("1", coordinator.Map("spec").Text("replicas"));
        foreach (var (key, value) in coordinator.Map("spec").Map("selector").Map("matchLabels").Children)
            Assert.Equal(((YamlScalarNode)value).Value, labels[((YamlScalarNode)key).Value!]);
    }

    [Fact]
    public void Workers_seed_on_the_name_the_coordinator_pod_advertises_under_the_headless_service()
    {
        var objects = Objects();
        var ns = Load("kustomization.yaml").Single().Text("namespace")!;
        var coordinator = Single(objects, "StatefulSet", "deepmap-coordinator");
        var worker = Single(objects, "Deployment", "deepmap-worker");
        var statefulSet = coordinator.Map("metadata").Text("name")!;
        var service = coordinator.Map("spec").Text("serviceName")!;
        // A StatefulSet's pod N is named <statefulset>-N, and its DNS name is <pod>.<service>.<namespace>.svc.<domain>.
        var podName = $"{statefulSet}-0";
        var stable = $"{podName}.{service}.{ns}.svc.cluster.local";

        var coordinatorEnv = Expand(Container(coordinator), new Dictionary<string, string>
        {
            ["metadata.name"] = podName, ["metadata.namespace"] = ns, ["status.podIP"] = "10.1.0.7",
        });
        Assert.Equal(stable, coordinatorEnv["DEEPMAP_HOST"]);
        Assert.Equal("0.0.0.0", coordinatorEnv["DEEPMAP_BIND_HOST"]);
        Assert.False(coordinatorEnv.ContainsKey("DEEPMAP_SEEDS"), "the coordinator is the seed: it names itself when DEEPMAP_SEEDS is empty");
        var coordinatorNode = NodeSettings.From(Deepmap(coordinatorEnv), 4053);
        // What the coordinator's Program.cs seeds itself with: the address it advertises.
        var coordinatorSelf = $"{coordinatorNode.Host}:{coordinatorNode.Port}";

        var workerContainer = Container(worker);
        Assert.Equal("status.podIP", Env(workerContainer)["DEEPMAP_HOST"].Map("valueFrom").Map("fieldRef").Text("fieldPath"));
        var workerEnv = Expand(workerContainer, new Dictionary<string, string>
        {
            ["metadata.name"] = "deepmap-worker-7d9f8-x2x5q", ["metadata.namespace"] = ns, ["status.podIP"] = "10.1.3.9",
        });
        Assert.Equal($"{stable}:4053", workerEnv["DEEPMAP_SEEDS"]);
        var workerNode = NodeSettings.From(Deepmap(workerEnv), 0);
        // Akka only accepts messages addressed to the exact host:port a node advertises.
        Assert.Equal([coordinatorSelf], workerNode.Seeds);
        Assert.Equal("10.1.3.9", workerNode.Host);
        Assert.Equal(Ports(workerContainer)["remoting"], workerNode.Port);
        Assert.Equal(Ports(workerContainer)["data"], workerNode.DataPort);
        foreach (var (key, value) in worker.Map("spec").Map("selector").Map("matchLabels").Children)
            Assert.Equal(((YamlScalarNode)value).Value, Labels(worker)[((YamlScalarNode)key).Value!]);
    }

    [Fact]
    public void Probes_ask_the_ports_the_nodes_serve_and_the_grace_period_outlasts_the_shutdown()
    {
        var objects = Objects();
        var coordinator = Single(objects, "StatefulSet", "deepmap-coordinator");
        var worker = Single(objects, "Deployment", "deepmap-worker");

        var coordinatorContainer = Container(coordinator);
        Assert.Equal(new Uri(Env(coordinatorContainer)["DEEPMAP_API"].Text("value")!).Port, Ports(coordinatorContainer)["http"]);
        AssertProbes(coordinatorContainer, "http");
        var workerContainer = Container(worker);
        Assert.Equal(int.Parse(Env(workerContainer)["DEEPMAP_HEALTH_PORT"].Text("value")!), Ports(workerContainer)["health"]);
        AssertProbes(workerContainer, "health");

        foreach (var workload in new[] { coordinator, worker })
        {
            var grace = TimeSpan.FromSeconds(int.Parse(workload.Map("spec").Map("template").Map("spec").Text("terminationGracePeriodSeconds")!));
            Assert.True(grace > Shutdown.Longest, $"{workload.Map("metadata").Text("name")}: terminationGracePeriodSeconds {grace} must outlast the shutdown phases ({Shutdown.Longest})");
        }
    }

    private static void AssertProbes(YamlMappingNode container, string port)
    {
        Assert.Equal(("/readyz", port), (container.Map("readinessProbe").Map("httpGet").Text("path"), container.Map("readinessProbe").Map("httpGet").Text("port")));
        Assert.Equal(("/healthz", port), (container.Map("livenessProbe").Map("httpGet").Text("path"), container.Map("livenessProbe").Map("httpGet").Text("port")));
    }

    [Fact]
    public void Workers_take_a_gpu_each_and_drains_evict_them_one_at_a_time()
    {
        var objects = Objects();
        var worker = Single(objects, "Deployment", "deepmap-worker");
        Assert.Equal("1", Container(worker).Map("resources").Map("limits").Text("nvidia.com/gpu"));
        var budget = Single(objects, "PodDisruptionBudget", "deepmap-worker");
        Assert.Equal("1", budget.Map("spec").Text("maxUnavailable"));
        var labels = Labels(worker);
        foreach (var (key, value) in budget.Map("spec").Map("selector").Map("matchLabels").Children)
            Assert.Equal(((YamlScalarNode)value).Value, labels[((YamlScalarNode)key).Value!]);
    }

    [Fact]
    public void Coordinator_keeps_its_state_on_a_volume_takes_its_token_from_a_secret_and_serves_its_api_by_service()
    {
        var objects = Objects();
        var coordinator = Single(objects, "StatefulSet", "deepmap-coordinator");
        var container = Container(coordinator);
        var env = Env(container);
        var claim = Assert.IsType<YamlMappingNode>(Assert.Single(coordinator.Map("spec").Seq("volumeClaimTemplates")));
        var state = Assert.Single(container.Seq("volumeMounts").Cast<YamlMappingNode>(), m => m.Text("name") == claim.Map("metadata").Text("name"));
        Assert.Equal(env["DEEPMAP_STATE"].Text("value"), state.Text("mountPath"));
        var data = Assert.Single(container.Seq("volumeMounts").Cast<YamlMappingNode>(), m => m.Text("mountPath") == env["DEEPMAP_DATA"].Text("value"));
        Assert.Equal("true", data.Text("readOnly"));

        var token = env["DEEPMAP_TOKEN"].Map("valueFrom").Map("secretKeyRef");
        Assert.Equal(("deepmap-api-token", "token"), (token.Text("name"), token.Text("key")));
        Assert.False(env["DEEPMAP_TOKEN"].Has("value"), "the token must come from the Secret, not the manifest");

        var service = Single(objects, "Service", "deepmap-api");
        Assert.False(service.Map("spec").Has("clusterIP"), "the API's Service is a normal one, with a cluster IP");
        var port = Assert.IsType<YamlMappingNode>(Assert.Single(service.Map("spec").Seq("ports")));
        Assert.Equal(("8080", "http"), (port.Text("port"), port.Text("targetPort")));
        var labels = Labels(coordinator);
        foreach (var (key, value) in service.Map("spec").Map("selector").Children)
            Assert.Equal(((YamlScalarNode)value).Value, labels[((YamlScalarNode)key).Value!]);
    }
}
