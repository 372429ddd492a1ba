using System.Runtime.CompilerServices;

namespace Ascend.Interop;

/// <summary>
/// Layout arithmetic of strided views, checked: the element a view reaches (overflow of <see cref="long"/> is an
/// <see cref="ArgumentOutOfRangeException"/> naming the shape and strides, never a wrapped value), whether a view
/// writes any element twice (broadcast or self-overlapping), and whether two views share elements. The operators use
/// the last two to refuse outputs a kernel cannot write correctly.
/// </summary>
internal static class TensorLayout
{
    /// <summary>Above this many elements an overlap the fast tests cannot decide is refused instead of enumerated.</summary>
    internal const long EnumerationLimit = 1 << 20;

    /// <summary>
    /// The last element <paramref name="shape"/> with <paramref name="strides"/> from <paramref name="offset"/> reaches
    /// (offset + sum of (size - 1) x stride); -1 for an empty shape. Throws when a stride is negative or the sum
    /// overflows.
    /// </summary>
    public static long LastElement(TensorShape shape, ReadOnlySpan<long> strides, long offset, string operation)
    {
        if (offset < 0) throw new ArgumentOutOfRangeException(nameof(offset), offset, $"{operation}: the offset must not be negative.");
        for (int i = 0; i < strides.Length; i++)
            if (strides[i] < 0)
                throw new ArgumentOutOfRangeException(nameof(strides), $"{operation}: stride {i} of {TensorShape.Format(strides)} is negative.");
        if (shape.ElementCount == 0) return -1;
        long reach = offset;
        try
        {
            for (int i = 0; i < strides.Length; i++) reach = checked(reach + checked((shape[i] - 1) * strides[i]));
        }
        catch (OverflowException)
        {
            throw new ArgumentOutOfRangeException(nameof(strides),
                $"{operation}: shape {shape} with strides {TensorShape.Format(strides)} and offset {offset} reaches beyond element {long.MaxValue} (the extent overflows a 64-bit offset).");
        }
        return reach;
    }

    /// <summary><paramref name="count"/> x <paramref name="elementSize"/> bytes, or an exception naming <paramref name="shape"/>.</summary>
    public static long Bytes(TensorShape shape, long count, int elementSize, string operation)
    {
        long bytes;
        try
        {
            bytes = checked(count * elementSize);
        }
        catch (OverflowException)
        {
            throw new ArgumentOutOfRangeException("shape",
                $"{operation}: shape {shape} has {count} elements of {elementSize} bytes, more than {long.MaxValue} bytes.");
        }
        return bytes;
    }

    /// <summary>
    /// The strides an <c>aclTensor</c> is described with: the view's own, except where they address nothing (a
    /// dimension of size 1, or every dimension of an empty view), which get the row-major value. A caller may pass any
    /// stride there (FromBuffer accepts 2^62 on a size-1 dimension), and the runtime refuses strides above its limit.
    /// </summary>
    public static void DescriptorStrides(TensorShape shape, ReadOnlySpan<long> strides, Span<long> result)
    {
        bool empty = shape.ElementCount == 0;
        long next = 1;   // the row-major stride of the dimension being set
        for (int i = strides.Length - 1; i >= 0; i--)
        {
            long size = shape[i];
            result[i] = empty || size == 1 ? next : strides[i];
            long reach = result[i] * Math.Max(size, 1);
            next = result[i] != 0 && reach / result[i] == Math.Max(size, 1) && reach > 0 ? reach : 1;
        }
    }

    // ---- overlap -------------------------------------------------------------------------------

    /// <summary>How two views share memory.</summary>
    internal enum Sharing
    {
        /// <summary>No element in common.</summary>
        None,
        /// <summary>The same view: same address, type, shape and strides.</summary>
        Same,
        /// <summary>Some elements in common (or not provably none).</summary>
        Partial,
    }

    /// <summary>
    /// Refuses a view that writes some element twice: a dimension longer than 1 with stride 0 (a broadcast view), or
    /// strides that make two indices meet (proved by the nesting test, else by enumerating up to <see cref="EnumerationLimit"/>
    /// elements; beyond it, refused as not provably free of overlap).
    /// </summary>
    public static void CheckWritable(NpuTensor tensor, string operation, string argument)
    {
        if (tensor.IsContiguous) return;   // row-major without gaps (the usual output): every element its own place
        var shape = tensor.Shape;
        var strides = tensor.Strides;
        if (tensor.ElementCount == 0) return;   // writes nothing
        for (int i = 0; i < strides.Length; i++)
        {
            if (shape[i] > 1 && strides[i] == 0)
                throw new ArgumentException(
                    $"{operation}: argument '{argument}' is a broadcast view (shape {shape}, strides {TensorShape.Format(strides)}): dimension {i} of size {shape[i]} has stride 0, " +
                    "so several results would be written to one element. Write into a tensor that gives every element its own place (Contiguous() makes one).", argument);
        }
        if (tensor.ElementCount <= 1 || Nested(shape, strides)) return;
        bool overlaps = tensor.ElementCount > EnumerationLimit || HasRepeatedElement(shape, strides);
        if (overlaps)
            throw new ArgumentException(
                $"{operation}: argument '{argument}' (shape {shape}, strides {TensorShape.Format(strides)}) overlaps itself" +
                (tensor.ElementCount > EnumerationLimit ? " or cannot be shown not to" : "") +
                ": two of its indices address the same element, so the results written there would be lost. Write into a tensor that gives every element its own place.", argument);
    }

    /// <summary>How <paramref name="a"/> and <paramref name="b"/> share memory (both undisposed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Sharing Compare(NpuTensor a, NpuTensor b) => Disjoint(a, b) ? Sharing.None : CompareAddresses(a, b);

    /// <summary>
    /// True for two views of different pool storages, which never share memory (a block is one storage's until it goes
    /// back to its pool): the usual operator call, decided without addresses. Views of one storage, and tensors over
    /// caller-owned buffers, need <see cref="CompareAddresses"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Disjoint(NpuTensor a, NpuTensor b)
    {
        var storageA = a.Storage;
        var storageB = b.Storage;
        return !ReferenceEquals(storageA, storageB) && storageA.IsPooled && storageB.IsPooled;
    }

    private static Sharing CompareAddresses(NpuTensor a, NpuTensor b)
    {
        if (a.ElementCount == 0 || b.ElementCount == 0) return Sharing.None;
        if (ReferenceEquals(a, b)) return Sharing.Same;   // an in-place call passes one view twice
        if (a.Device.Id != b.Device.Id) return Sharing.None;
        long startA = a.DataPointer, startB = b.DataPointer;
        long endA = startA + ExtentBytes(a), endB = startB + ExtentBytes(b);
        if (endA <= startB || endB <= startA) return Sharing.None;
        if (startA == startB && a.DataType == b.DataType && a.Shape == b.Shape && a.Strides.SequenceEqual(b.Strides)) return Sharing.Same;
        return BoxesIntersect(a, b, Math.Min(startA, startB)) switch
        {
            true => Sharing.Partial,
            false => Sharing.None,
            null => a.ElementCount > EnumerationLimit || b.ElementCount > EnumerationLimit || ElementsMeet(a, b) ? Sharing.Partial : Sharing.None,
        };
    }

    /// <summary>
    /// Operators that compute each output element from the same element of their inputs only (element-wise, with
    /// broadcasting): an output may be the very same view as an input (in place). Every other operator reads inputs
    /// while it writes, so its outputs must share no memory with its inputs.
    /// </summary>
    /// <remarks>By the name after the last '.', any case ("Ops.MatMul" and the generated "AclnnOperators.Matmul").</remarks>
    public static bool AllowsInPlace(string operatorName)
    {
        string name = operatorName[(operatorName.LastIndexOf('.') + 1)..].ToLowerInvariant();
        if (name.StartsWith("increflashattention", StringComparison.Ordinal)) return false;
        return name switch
        {
            "matmul" or "mm" or "batchmatmul" or "cat" or "indexselect" or "embedding" or "topk" or "reducesum" or "mean"
                or "amax" or "argmax" or "softmax" or "rmsnorm" or "layernorm" or "rotarypositionembedding" or "swiglu" => false,
            _ => true,
        };
    }

    /// <summary>
    /// The output checks of one call with given outputs: no output writes an element twice; outputs share no memory
    /// with each other; an output shares none with an input (or tensor-list element), except that of an operator that
    /// <see cref="AllowsInPlace"/> it may be the very same view (in place).
    /// </summary>
    public static void CheckOutputs(in OperatorCall call)
    {
        // Every operator call runs this: the pairs of different pool storages (nearly all) are passed over inline, and
        // an argument's name is looked up only for a pair that needs its addresses compared.
        var op = call.Operator;
        var tensors = call.Tensors;
        int inputs = op.InputCount;
        for (int o = inputs; o < tensors.Length; o++)
        {
            var output = tensors[o]!;
            if (!output.IsContiguous) CheckWritable(output, call.Name, op.SlotName(o));
            for (int p = inputs; p < o; p++)
                if (!Disjoint(output, tensors[p]!)) CheckDistinctOutputs(call.Name, tensors[p]!, op.SlotName(p), output, op.SlotName(o));
            for (int i = 0; i < inputs; i++)
                if (tensors[i] is { } input && !Disjoint(output, input)) CheckInput(call.Name, op.AllowsInPlace, output, op.SlotName(o), input, op.SlotName(i));
            for (int l = 0; l < op.TensorLists.Length; l++)
                foreach (var element in call.List(l))
                    if (!Disjoint(output, element)) CheckInput(call.Name, op.AllowsInPlace, output, op.SlotName(o), element, op.TensorListName(l));
        }
    }

    /// <summary>Two outputs of one call share no memory.</summary>
    public static void CheckDistinctOutputs(string operation, NpuTensor first, string firstName, NpuTensor output, string outputName)
    {
        if (Compare(output, first) != Sharing.None)
            throw new ArgumentException($"{operation}: outputs '{firstName}' and '{outputName}' share memory ({first} and {output}); each output needs its own.", outputName);
    }

    /// <summary>
    /// An output shares no memory with an input, except that it may be the very same view when
    /// <paramref name="allowsInPlace"/> (see <see cref="AllowsInPlace"/>).
    /// </summary>
    public static void CheckInput(string operation, bool allowsInPlace, NpuTensor output, string outputName, NpuTensor input, string inputName)
    {
        var sharing = Compare(output, input);
        if (sharing == Sharing.None || (sharing == Sharing.Same && allowsInPlace)) return;
        string reason = sharing == Sharing.Same
            ? $"{operation} reads its inputs while it writes, so its output must not be one of them"
            : "an output may be the very same view as an input of an element-wise operator (in place), never overlap part of one";
        throw new ArgumentException(
            $"{operation}: output '{outputName}' ({output}) overlaps input '{inputName}' ({input}); {reason}. Write into a separate tensor.", outputName);
    }

    /// <summary>Bytes from the first element to the end of the last one.</summary>
    private static long ExtentBytes(NpuTensor t)
    {
        long last = 0;
        for (int i = 0; i < t.Rank; i++) last += (t.Shape[i] - 1) * t.Strides[i];
        return (last + 1) * t.ElementSize;
    }

    /// <summary>
    /// True when, ordered by stride, every stride exceeds the reach of the smaller ones: then no two indices meet.
    /// (The usual views: contiguous tensors and their slices, transposes and permutations.)
    /// </summary>
    private static bool Nested(TensorShape shape, ReadOnlySpan<long> strides)
    {
        Span<long> s = stackalloc long[TensorShape.MaxRank];
        Span<long> n = stackalloc long[TensorShape.MaxRank];
        int count = 0;
        for (int i = 0; i < strides.Length; i++)
        {
            if (shape[i] <= 1) continue;
            int at = count++;
            while (at > 0 && s[at - 1] > strides[i]) { s[at] = s[at - 1]; n[at] = n[at - 1]; at--; }
            s[at] = strides[i];
            n[at] = shape[i];
        }
        long reach = 0;
        for (int k = 0; k < count; k++)
        {
            if (s[k] <= reach) return false;
            reach += (n[k] - 1) * s[k];
        }
        return true;
    }

    private static bool HasRepeatedElement(TensorShape shape, ReadOnlySpan<long> strides)
    {
        var offsets = Offsets(shape, strides, 0, 1);
        Array.Sort(offsets);
        for (int i = 1; i < offsets.Length; i++)
            if (offsets[i] == offsets[i - 1]) return true;
        return false;
    }

    /// <summary>Every element's byte offset from <paramref name="start"/> (enumeration: the slow, exact path).</summary>
    private static long[] Offsets(TensorShape shape, ReadOnlySpan<long> strides, long start, int elementSize)
    {
        var result = new long[shape.ElementCount];
        Span<long> index = stackalloc long[Math.Max(shape.Rank, 1)];
        index.Clear();
        for (long e = 0; e < result.Length; e++)
        {
            long offset = start;
            for (int i = 0; i < shape.Rank; i++) offset += index[i] * strides[i] * elementSize;
            result[e] = offset;
            for (int i = shape.Rank - 1; i >= 0; i--)
            {
                if (++index[i] < shape[i]) break;
                index[i] = 0;
            }
        }
        return result;
    }

    /// <summary>Exact test by enumeration: does an element of <paramref name="b"/> share a byte with one of <paramref name="a"/>?</summary>
    private static bool ElementsMeet(NpuTensor a, NpuTensor b)
    {
        var startsA = Offsets(a.Shape, a.Strides, a.DataPointer, a.ElementSize);
        Array.Sort(startsA);
        var startsB = Offsets(b.Shape, b.Strides, b.DataPointer, b.ElementSize);
        foreach (long start in startsB)
        {
            // An element of a starting in (start - a.ElementSize, start + b.ElementSize) shares a byte with [start, start + b.ElementSize).
            int at = Array.BinarySearch(startsA, start - a.ElementSize + 1);
            if (at < 0) at = ~at;
            if (at < startsA.Length && startsA[at] < start + b.ElementSize) return true;
        }
        return false;
    }

    /// <summary>
    /// Exact test for views that are boxes of one dense lattice (slices of one tensor, of any element types): the byte
    /// strides of both views, with 1, form a chain where each divides the next; each view's start, written in that
    /// mixed radix, plus its sizes stays inside each digit. Then two views meet exactly when their boxes intersect
    /// in every digit. Null when the views do not fit that form.
    /// </summary>
    private static bool? BoxesIntersect(NpuTensor a, NpuTensor b, long origin)
    {
        Span<long> chain = stackalloc long[2 * TensorShape.MaxRank + 1];
        int levels = 0;
        AddLevel(chain, ref levels, 1);
        for (int i = 0; i < a.Rank; i++) if (a.Shape[i] > 1) AddLevel(chain, ref levels, a.Strides[i] * a.ElementSize);
        for (int i = 0; i < b.Rank; i++) if (b.Shape[i] > 1) AddLevel(chain, ref levels, b.Strides[i] * b.ElementSize);
        for (int k = 1; k < levels; k++)
            if (chain[k] % chain[k - 1] != 0) return null;
        Span<long> lowA = stackalloc long[levels], sizeA = stackalloc long[levels];
        Span<long> lowB = stackalloc long[levels], sizeB = stackalloc long[levels];
        if (!Box(a, a.DataPointer - origin, chain[..levels], lowA, sizeA)) return null;
        if (!Box(b, b.DataPointer - origin, chain[..levels], lowB, sizeB)) return null;
        for (int k = 0; k < levels; k++)
            if (lowA[k] + sizeA[k] <= lowB[k] || lowB[k] + sizeB[k] <= lowA[k]) return false;
        return true;
    }

    private static void AddLevel(Span<long> chain, ref int levels, long stride)
    {
        if (stride <= 0) return; // broadcast dimensions add no place
        int at = 0;
        while (at < levels && chain[at] < stride) at++;
        if (at < levels && chain[at] == stride) return;
        for (int k = levels; k > at; k--) chain[k] = chain[k - 1];
        chain[at] = stride;
        levels++;
    }

    /// <summary>The view's box in the chain's digits; false when two dimensions share a digit or the box wraps a digit.</summary>
    private static bool Box(NpuTensor t, long start, ReadOnlySpan<long> chain, Span<long> low, Span<long> size)
    {
        int levels = chain.Length;
        for (int k = 0; k < levels; k++)
        {
            long digit = start / chain[k];
            low[k] = k + 1 < levels ? digit % (chain[k + 1] / chain[k]) : digit;
            size[k] = 1;
        }
        size[0] = t.ElementSize; // the element's own bytes: digit 0 counts bytes
        for (int i = 0; i < t.Rank; i++)
        {
            long n = t.Shape[i];
            if (n <= 1 || t.Strides[i] == 0) continue;
            int k = chain.IndexOf(t.Strides[i] * t.ElementSize);
            if (size[k] != 1) return false;
            size[k] = n;
        }
        for (int k = 0; k + 1 < levels; k++)
            if (low[k] + size[k] > chain[k + 1] / chain[k]) return false;
        return true;
    }
}
