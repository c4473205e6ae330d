using Xunit.Abstractions;
using Xunit.Sdk;

namespace Knd.Tests.Consul;

/// <summary>
/// A fact shared by the dev-server and real-agent test classes. It is skipped, with a reason, when
/// the concrete test class is marked <see cref="RequiresConsulBinaryAttribute"/> and no <c>consul</c>
/// binary is on PATH (xunit 2 decides skips at discovery, per concrete class).
/// </summary>
[XunitTestCaseDiscoverer("Knd.Tests.Consul.ContractFactDiscoverer", "Knd.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class ContractFactAttribute : FactAttribute;

/// <summary>Marks a test class that runs against a real <c>consul agent -dev</c>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresConsulBinaryAttribute : Attribute;

public sealed class ContractFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        yield return new ContractTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod);
    }
}

public sealed class ContractTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public ContractTestCase()
    {
    }

    public ContractTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay defaultMethodDisplay, TestMethodDisplayOptions defaultMethodDisplayOptions, ITestMethod testMethod)
        : base(diagnosticMessageSink, defaultMethodDisplay, defaultMethodDisplayOptions, testMethod)
    {
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute)
    {
        var needsConsul = TestMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresConsulBinaryAttribute).AssemblyQualifiedName).Any();
        if (needsConsul && ConsulBinary.Path is null)
        {
            return "no `consul` binary on PATH: the real-agent variant of this test needs `consul agent -dev`";
        }

        return base.GetSkipReason(factAttribute);
    }
}
