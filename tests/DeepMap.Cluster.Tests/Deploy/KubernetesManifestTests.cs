using YamlDotNet.RepresentationModel;

namespace DeepMap.Cluster.Tests.Deploy;

/// <summary>
/// deploy/k8s: every file the kustomization lists parses, and the objects fit together — kinds, probes on the ports the
/// nodes serve, the discovery selector matching both pod templates, the RBAC the Kubernetes API discovery needs, the
/// disruption budget, and grace periods longer than the cluster's shutdown. No Kubernetes runs here.
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

    [Fact]
    public void Manifests_parse_and_hold_the_coordinator_workers_rbac_and_budget()
    {
        var kinds = Objects().Select(o => $"{o.Text("kind")}/{o.Map("metadata").Text("name")}").Order().ToArray();
        Assert.Equal(
            ["Deployment/deepmap-worker", "Namespace/deepmap", "PersistentVolumeClaim/deepmap-data", "PodDisruptionBudget/deepmap-worker",
             "Role/deepmap-pod-reader", "RoleBinding/deepmap-pod-reader", "Service/deepmap-coordinator", "Service/deepmap-coordinator-pods",
             "ServiceAccount/deepmap", "StatefulSet/deepmap-coordinator"],
            kinds);
    }

    [Fact]
    public void Both_pod_templates_bootstrap_through_the_kubernetes_api_and_match_the_discovery_selector()
    {
        var objects = Objects();
        foreach (var workload in new[] { Single(objects, "StatefulSet", "deepmap-coordinator"), Single(objects, "Deployment", "deepmap-worker") })
        {
            var container = Container(workload);
            var env = Env(container);
            var name = workload.Map("metadata").Text("name");
            Assert.Equal("kubernetes", env["DEEPMAP_DISCOVERY"].Text("value"));
            Assert.False(env.ContainsKey("DEEPMAP_SEEDS"), $"{name}: seeds and Kubernetes discovery exclude each other");
            Assert.Equal("status.podIP", env["DEEPMAP_HOST"].Map("valueFrom").Map("fieldRef").Text("fieldPath"));

            // The bootstrap lists pods by this selector and asks each for its port named "management".
            var selector = env["DEEPMAP_DISCOVERY_SELECTOR"].Text("value")!;
            var labels = Labels(workload);
            foreach (var term in selector.Split(','))
            {
                var (key, value) = (term.Split('=')[0], term.Split('=')[1]);
                Assert.True(labels.GetValueOrDefault(key) == value, $"{name}: pod labels {string.Join(",", labels)} do not match the discovery selector {selector}");
            }
            var ports = Ports(container);
            Assert.Equal(int.Parse(env["DEEPMAP_MANAGEMENT_PORT"].Text("value")!), ports["management"]);
            Assert.Equal(8558, ports["management"]);
            Assert.Equal(int.Parse(env["DEEPMAP_PORT"].Text("value")!), ports["remoting"]);
            Assert.Equal("deepmap", workload.Map("spec").Map("template").Map("spec").Text("serviceAccountName"));

            // The workload's own selector picks its pods.
            foreach (var (key, value) in workload.Map("spec").Map("selector").Map("matchLabels").Children)
                Assert.Equal(((YamlScalarNode)value).Value, labels[((YamlScalarNode)key).Value!]);
        }
    }

    [Fact]
    public void Service_account_may_get_watch_and_list_pods_and_nothing_more()
    {
        var objects = Objects();
        var rule = Assert.IsType<YamlMappingNode>(Assert.Single(Single(objects, "Role", "deepmap-pod-reader").Seq("rules")));
        Assert.Equal(["pods"], rule.Seq("resources").Select(r => ((YamlScalarNode)r).Value));
        Assert.Equal(["get", "list", "watch"], rule.Seq("verbs").Select(v => ((YamlScalarNode)v).Value).Order());
        var binding = Single(objects, "RoleBinding", "deepmap-pod-reader");
        Assert.Equal("deepmap-pod-reader", binding.Map("roleRef").Text("name"));
        var subject = Assert.IsType<YamlMappingNode>(Assert.Single(binding.Seq("subjects")));
        Assert.Equal(("ServiceAccount", "deepmap"), (subject.Text("kind"), subject.Text("name")));
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
    public void Coordinator_keeps_its_state_on_a_volume_takes_its_token_from_a_secret_and_is_reachable_by_service()
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

        var service = Single(objects, "Service", "deepmap-coordinator");
        var port = Assert.IsType<YamlMappingNode>(Assert.Single(service.Map("spec").Seq("ports")));
        Assert.Equal(("8080", "http"), (port.Text("port"), port.Text("targetPort")));
        var labels = Labels(coordinator);
        foreach (var (key, value) in service.Map("spec").Map("selector").Children)
            Assert.Equal(((YamlScalarNode)value).Value, labels[((YamlScalarNode)key).Value!]);
        Assert.Equal("deepmap-coordinator-pods", coordinator.Map("spec").Text("serviceName"));
    }
}
