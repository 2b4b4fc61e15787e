using Xunit.Abstractions;
using Xunit.Sdk;

namespace DeepMap.Tensors.Tests.Support;

/// <summary>A fact whose skip reason was decided at discovery (a missing device), not written in its attribute.</summary>
public sealed class BackendTestCase : XunitTestCase
{
    private string? _skip;

    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes", error: true)]
    public BackendTestCase() { }

    public BackendTestCase(IMessageSink diagnostics, TestMethodDisplay display, TestMethodDisplayOptions displayOptions, ITestMethod testMethod, string? skip)
        : base(diagnostics, display, displayOptions, testMethod) => _skip = skip;

    protected override string? GetSkipReason(IAttributeInfo factAttribute) => _skip ?? base.GetSkipReason(factAttribute);

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue("BackendSkip", _skip);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        _skip = data.GetValue<string>("BackendSkip");
        base.Deserialize(data);
    }
}
