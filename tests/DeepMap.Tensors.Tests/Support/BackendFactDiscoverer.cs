using Xunit.Abstractions;
using Xunit.Sdk;

namespace DeepMap.Tensors.Tests.Support;

/// <summary>Discovers <see cref="BackendFactAttribute"/> facts, deciding per test class whether they can run here.</summary>
public sealed class BackendFactDiscoverer(IMessageSink diagnostics) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions options, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var needsCuda = testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresCudaAttribute)).Any();
        var skip = needsCuda ? RequiresCudaAttribute.SkipReason : null;
        yield return new BackendTestCase(diagnostics, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), testMethod, skip);
    }
}
