using System.Diagnostics.CodeAnalysis;
using Ascend.Interop.Native;

namespace Ascend.Interop;

public static partial class Ops
{
    /// <summary>
    /// Lets <see cref="Invoke(NpuStream, string, object?[])"/> find operators in <paramref name="bindings"/>: a raw bindings
    /// class such as the <c>CannOps</c> the bindings generator writes with <c>--cann-include</c> for an installed CANN.
    /// <see cref="AclnnOps"/> is always searched first.
    /// </summary>
    [RequiresUnreferencedCode("Operators are found by reflection over the bindings class.")]
    public static void RegisterOperatorBindings([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods)] Type bindings)
    {
        ArgumentNullException.ThrowIfNull(bindings);
        InvokePlan.Register(bindings);
    }

    /// <summary>
    /// Runs any two-phase aclnn operator by its C name (<c>"aclnnAdd"</c>) from the registered raw bindings, with the
    /// same workspace, executor, capture and graph-recording handling as the declared operators. The arguments are
    /// the C parameters before <c>workspaceSize</c>/<c>executor</c>, in order: <see cref="NpuTensor"/> (or null) for
    /// <c>aclTensor*</c> (recorded as written when named out, output, ...Out or ...Ref, CANN's naming), <see cref="NpuTensor"/>[] for <c>aclTensorList*</c>,
    /// <see cref="long"/>[]/<see cref="int"/>[] for <c>aclIntArray*</c>, <see cref="float"/>[] for <c>aclFloatArray*</c>,
    /// <see cref="bool"/>[] for <c>aclBoolArray*</c>, a number or bool for <c>aclScalar*</c> (its CLR type picks the
    /// scalar's dtype: double, float, Half, long, int, bool), a string for <c>char*</c>, and numbers, bools or enums
    /// (<see cref="NpuDataType"/> for <c>aclDataType</c>) for plain values.
    /// </summary>
    /// <remarks>
    /// Phase 1 runs through reflection (<c>MethodInfo.Invoke</c>): each call allocates its
    /// argument array and boxes, and costs some microseconds more than a declared operator; the parameter plan is
    /// cached per function. Phase 2 is a direct call. Managed checks cover null/disposed/device and the declared
    /// operators' output rules (<see cref="ArgumentException"/> naming the C parameter: a written tensor that is a
    /// broadcast or self-overlapping view, shares memory with another written tensor, or overlaps a read one other than
    /// as the very same view of an element-wise operator); shapes and dtypes are the runtime's to refuse
    /// (<see cref="AclException"/> naming the C function). An operator the
    /// loaded libraries do not export throws <see cref="NotSupportedException"/> ("aclnnFoo is not simulated" on
    /// the simulator) before anything is created.
    /// </remarks>
    [RequiresUnreferencedCode("Operators are found by reflection over the bindings class.")]
    public static void Invoke(NpuStream stream, string function, params object?[] arguments)
    {
        ArgumentNullException.ThrowIfNull(function);
        Invoke(stream, InvokePlan.Find(function), function, arguments);
    }

    /// <summary>As <see cref="Invoke(NpuStream, string, object?[])"/>, with the operator taken from <paramref name="bindings"/>.</summary>
    [RequiresUnreferencedCode("Operators are found by reflection over the bindings class.")]
    public static void Invoke(NpuStream stream, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods)] Type bindings, string function, params object?[] arguments)
    {
        ArgumentNullException.ThrowIfNull(bindings);
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(arguments);
        InvokePlan.For(bindings, function).Run(stream, arguments);
    }
}
