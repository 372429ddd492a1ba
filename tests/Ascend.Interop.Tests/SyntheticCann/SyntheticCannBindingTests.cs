using System.Reflection;
using Ascend.Interop.Native;

namespace Ascend.Interop.Tests.SyntheticCann;

/// <summary>
/// What the bindings generator's --cann-include path makes of the synthetic CANN include folder (SyntheticCann/include,
/// one header per structure of the real CANN it has to handle), read from the generated class SyntheticCannOps. The
/// drift check keeps the generated file, with the run's summary at its top, equal to a fresh run.
/// </summary>
public sealed class SyntheticCannBindingTests
{
    private static readonly Type Ops = typeof(SyntheticCannOps);

    private static MethodInfo? Function(string name) => Ops.GetMethod(name, BindingFlags.Public | BindingFlags.Static);

    private static Type ParameterType(string function, string parameter) =>
        Assert.Single(Function(function)!.GetParameters(), p => p.Name == parameter).ParameterType;

    [Fact]
    public void Enums_of_operator_headers_are_nested_in_the_generated_class()
    {
        Type reduction = Assert.IsAssignableFrom<Type>(Ops.GetNestedType("Reduction"));
        Assert.True(reduction.IsEnum);
        Assert.Equal(["None", "Mean", "Sum"], Enum.GetNames(reduction));
        Assert.Equal([0u, 1u, 2u], Enum.GetValues(reduction).Cast<object>().Select(v => Convert.ToUInt32(v)));

        // A second header's Reduction with other constants is kept under a name taken from its header.
        Type legacy = Assert.IsAssignableFrom<Type>(Ops.GetNestedType("Reduction_fake_loss_legacy"));
        Assert.Equal(["ReductionNone", "ReductionSum"], Enum.GetNames(legacy));

        // typedef enum { ... 0L ... } FakeActType: named by its typedef.
        Type act = Assert.IsAssignableFrom<Type>(Ops.GetNestedType("FakeActType"));
        Assert.Equal(["FAKE_ACT_NONE", "FAKE_ACT_RELU", "FAKE_ACT_GELU"], Enum.GetNames(act));

        // Nothing lands at the top level of Ascend.Interop.Native, where it could collide.
        Assembly assembly = Ops.Assembly;
        foreach (string name in new[] { "Reduction", "Reduction_fake_loss_legacy", "FakeActType", "aclScalarList" })
        {
            Assert.Null(assembly.GetType("Ascend.Interop.Native." + name));
            Assert.Null(typeof(Acl).Assembly.GetType("Ascend.Interop.Native." + name));
        }

        // Parameters declared with those enums take the nested types.
        Assert.Equal(reduction, ParameterType("aclnnFakeLossExGetWorkspaceSize", "reduction"));
        Assert.Equal(legacy, ParameterType("aclnnFakeLossLegacyGetWorkspaceSize", "reduction"));
        Assert.Equal(act, ParameterType("aclnnFakeGroupedMatmulOldGetWorkspaceSize", "activation"));
    }

    [Fact]
    public void Types_only_CANN_declares_are_nested_and_ours_are_reused()
    {
        Type scalarList = Assert.IsAssignableFrom<Type>(Ops.GetNestedType("aclScalarList"));
        Assert.Equal(scalarList.MakePointerType(), ParameterType("aclnnFakeGroupedMatmulGetWorkspaceSize", "scales"));
        Assert.Equal(typeof(aclTensorList*), ParameterType("aclnnFakeGroupedMatmulGetWorkspaceSize", "x"));
        Assert.Equal(typeof(aclDataType), ParameterType("aclnnFakeAttentionGetWorkspaceSize", "outDtype"));
        // A void* handle typedef Ascend.Interop.Native lacks is a plain pointer (its C name stays in the source's NativeTypeName).
        Assert.Equal(typeof(void*), ParameterType("aclnnFakeTextGetWorkspaceSize", "queue"));
    }

    [Fact]
    public void A_reference_parameter_of_a_C_function_is_bound_as_a_pointer()
    {
        // const aclTensor *&scratch: the callee writes a tensor pointer through it.
        Assert.Equal(typeof(aclTensor**), ParameterType("aclnnInnerFakeGetWorkspaceSize", "scratch"));
        Assert.Equal(typeof(aclTensor*), ParameterType("aclnnInnerFakeGetWorkspaceSize", "query"));
        Assert.NotNull(Function("aclnnInnerFake"));
    }

    [Fact]
    public void Cpp_only_declarations_and_failing_headers_are_left_out()
    {
        // C++ linkage (an overload set, a function outside extern "C"), an inline definition, a non-acl helper.
        foreach (string name in new[] { "aclnnFakeInnerShape", "aclnnFakeInnerCheck", "aclnnFakeInnerVersion", "FakeInnerPrepareScratch" })
        {
            Assert.Null(Function(name));
        }
        // A header including a file the installation does not ship, and one that does not compile.
        Assert.Null(Function("aclnnFakeDistributedGetWorkspaceSize"));
        Assert.Null(Function("aclnnFakeBrokenGetWorkspaceSize"));
        // The headers next to them are bound.
        Assert.NotNull(Function("aclnnFakeAttentionGetWorkspaceSize"));
        Assert.NotNull(Function("aclnnFakeGroupedMatmulGetWorkspaceSize"));
    }

    [Fact]
    public void Every_export_marker_variant_and_both_headers_of_a_shared_include_guard_are_bound()
    {
        string[] bound =
        [
            "aclnnFakeAttention", "aclnnFakeAttentionGetWorkspaceSize",           // ACLNN_API from aclnn_util.h
            "aclnnFakeScale", "aclnnFakeScaleGetWorkspaceSize",                   // __attribute__((visibility))
            "aclnnFakeGroupedMatmulOld", "aclnnFakeGroupedMatmulOldGetWorkspaceSize", // visibility + deprecated(...)
            "aclnnInnerFake",                                                     // ACLNN_API defined in the header, extern
            "aclnnFakeText", "aclnnFakeTextGetWorkspaceSize",                     // ACL_FUNC_VISIBILITY, after <string>
            "aclFakeFft", "aclFakeFftGetWorkspaceSize",                           // an acl* operator, no marker
            "aclnnFakeGuardFirstGetWorkspaceSize", "aclnnFakeGuardSecondGetWorkspaceSize",
        ];
        foreach (string name in bound)
        {
            Assert.NotNull(Function(name));
        }
        // Declared twice with another signature: the first header's declaration is the one bound.
        Assert.Equal(4, Function("aclnnFakeAttention")!.GetParameters().Length);
    }
}
