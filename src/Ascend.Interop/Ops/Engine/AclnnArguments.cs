using System.Buffers;
using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>
/// The per-call aclnn argument objects both the declared operators and <c>Ops.Invoke</c>
/// make: int, float and bool arrays, tensor lists and scalars. Each create names the operator and argument when the runtime refuses.
/// </summary>
internal static unsafe class AclnnArguments
{
    public static aclIntArray* CreateIntArray(string op, string name, ReadOnlySpan<long> values)
    {
        fixed (long* p = values)
        {
            var array = AclNN.aclCreateIntArray(p, (ulong)values.Length);
            if (array == null) throw AclCheck.Create(AclNN.ACLNN_ERR_INNER_NULLPTR, nameof(AclNN.aclCreateIntArray), $"{op}: describing int array '{name}'");
            return array;
        }
    }

    public static aclFloatArray* CreateFloatArray(string op, string name, ReadOnlySpan<float> values)
    {
        fixed (float* p = values)
        {
            var array = AclNN.aclCreateFloatArray(p, (ulong)values.Length);
            if (array == null) throw AclCheck.Create(AclNN.ACLNN_ERR_INNER_NULLPTR, nameof(AclNN.aclCreateFloatArray), $"{op}: describing float array '{name}'");
            return array;
        }
    }

    /// <summary>A .NET bool is one byte holding 0 or 1, as C's <c>bool</c>: the values pass as they are.</summary>
    public static aclBoolArray* CreateBoolArray(string op, string name, ReadOnlySpan<bool> values)
    {
        fixed (bool* p = values)
        {
            var array = AclNN.aclCreateBoolArray((byte*)p, (ulong)values.Length);
            if (array == null) throw AclCheck.Create(AclNN.ACLNN_ERR_INNER_NULLPTR, nameof(AclNN.aclCreateBoolArray), $"{op}: describing bool array '{name}'");
            return array;
        }
    }

    /// <summary>A list owns its tensors (CANN's aclDestroyTensorList destroys them), so each element gets a fresh descriptor.</summary>
    public static aclTensorList* CreateTensorList(string op, string name, ReadOnlySpan<NpuTensor> list)
    {
        const int StackLimit = 64;
        nint[]? rented = list.Length > StackLimit ? ArrayPool<nint>.Shared.Rent(list.Length) : null;
        Span<nint> elements = rented is null ? stackalloc nint[list.Length] : rented.AsSpan(0, list.Length);
        int created = 0;
        try
        {
            for (; created < list.Length; created++) elements[created] = (nint)list[created].NewDescriptor(op, name);
            fixed (nint* p = elements)
            {
                var result = AclNN.aclCreateTensorList((aclTensor**)p, (ulong)list.Length);
                if (result == null) throw AclCheck.Create(AclNN.ACLNN_ERR_INNER_NULLPTR, nameof(AclNN.aclCreateTensorList), $"{op}: describing tensor list '{name}'");
                created = 0; // owned by the list now
                return result;
            }
        }
        finally
        {
            for (int i = 0; i < created; i++) AclNN.aclDestroyTensor((aclTensor*)elements[i]);
            if (rented is not null) ArrayPool<nint>.Shared.Return(rented);
        }
    }

    public static aclScalar* CreateScalar(string op, string name, void* value, aclDataType type)
    {
        var scalar = AclNN.aclCreateScalar(value, type);
        if (scalar == null) throw AclCheck.Create(AclNN.ACLNN_ERR_INNER_NULLPTR, nameof(AclNN.aclCreateScalar), $"{op}: creating the {name} scalar");
        return scalar;
    }
}
