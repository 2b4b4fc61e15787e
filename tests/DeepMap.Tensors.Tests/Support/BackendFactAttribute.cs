using Xunit.Sdk;

namespace DeepMap.Tensors.Tests.Support;

/// <summary>
/// A fact of a backend conformance class: it runs like [Fact], and is reported as skipped, with the reason, when the
/// class is marked <see cref="RequiresCudaAttribute"/> and this machine has no CUDA device.
/// </summary>
[XunitTestCaseDiscoverer("DeepMap.Tensors.Tests.Support.BackendFactDiscoverer", "DeepMap.Tensors.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class BackendFactAttribute : FactAttribute;
