namespace Ascend.Interop;

/// <summary>
/// The host arguments of one operator launch, exactly: the declaration, every tensor slot and tensor-list element
/// as its descriptor describes it (device address, data type, dimensions, strides, offset, storage size), every
/// attribute value (strings compared by content) and every int array's values. Two launches with equal signatures
/// pass the runtime the same arguments. A task group keeps the signatures of the operations it holds and of those
/// that passed the runtime's validation, so <see cref="NpuGraph.Update"/> can skip an update that changes nothing and
/// the validation of arguments already validated. Reused across updates: it allocates only while it grows.
/// </summary>
internal sealed class ArgumentSignature
{
    private long[] _values = new long[64];
    private long[] _ints = new long[16];       // the int arrays' values, apart: see SameAs(other, includeIntValues)
    private object?[] _references = new object?[4];
    private int _length, _intLength, _referenceCount;

    /// <summary>Set once the signature describes a launch (cleared by <see cref="Clear"/>).</summary>
    public bool IsSet { get; private set; }

    public void Clear()
    {
        _length = 0;
        _intLength = 0;
        Array.Clear(_references, 0, _referenceCount);
        _referenceCount = 0;
        IsSet = false;
    }

    /// <summary>Describes one launch of <paramref name="op"/> with the arguments of <paramref name="call"/>.</summary>
    public void Describe(AclnnOperator op, in OperatorCall call)
    {
        Clear();
        AddReference(op);
        foreach (var tensor in call.Tensors) Add(tensor);
        Add(call.Attributes.Length);
        foreach (var value in call.Attributes)
        {
            if (value.Text is { } text)
            {
                Add(2);
                AddReference(text);
            }
            else
            {
                Add(!value.IsPresent ? 3 : value.IsFloating ? 1 : 0);
                Add(value.IsFloating ? BitConverter.DoubleToInt64Bits(value.AsDouble) : value.AsLong);
            }
        }
        for (int k = 0; k < 2; k++)
        {
            var ints = call.Ints(k);
            Add(ints.Length);
            foreach (long v in ints) AddInt(v);
        }
        for (int l = 0; l < 2; l++)
        {
            var list = call.List(l);
            Add(list.Length);
            foreach (var tensor in list) Add(tensor);
        }
        IsSet = true;
    }

    private void Add(NpuTensor? tensor)
    {
        if (tensor is null)
        {
            Add(-1);
            return;
        }
        Add(tensor.DataPointer);
        Add((long)tensor.DataType);
        Add(tensor.Offset);
        Add(tensor.StorageByteLength);
        var dims = tensor.Shape.Dims;
        Add(dims.Length);
        foreach (long d in dims) Add(d);
        foreach (long s in tensor.Strides) Add(s);
    }

    private void Add(long value)
    {
        if (_length == _values.Length) Array.Resize(ref _values, _length * 2);
        _values[_length++] = value;
    }

    private void AddInt(long value)
    {
        if (_intLength == _ints.Length) Array.Resize(ref _ints, _intLength * 2);
        _ints[_intLength++] = value;
    }

    private void AddReference(object value)
    {
        if (_referenceCount == _references.Length) Array.Resize(ref _references, _referenceCount * 2);
        _references[_referenceCount++] = value;
    }

    /// <summary>
    /// True when both describe a launch and the launches' arguments are equal; with <paramref name="includeIntValues"/>
    /// false, the int arrays' values may differ (their lengths may not): for an operator whose managed rules check
    /// those values as completely as its phase 1 does (<see cref="AclnnOperator.IntArrayValuesChecked"/>).
    /// </summary>
    public bool SameAs(ArgumentSignature other, bool includeIntValues = true)
    {
        if (!IsSet || !other.IsSet || _length != other._length || _referenceCount != other._referenceCount) return false;
        if (!_values.AsSpan(0, _length).SequenceEqual(other._values.AsSpan(0, _length))) return false;
        if (includeIntValues && !_ints.AsSpan(0, _intLength).SequenceEqual(other._ints.AsSpan(0, other._intLength))) return false;
        for (int i = 0; i < _referenceCount; i++)
        {
            object? a = _references[i], b = other._references[i];
            if (ReferenceEquals(a, b)) continue;
            if (a is string sa && b is string sb && string.Equals(sa, sb, StringComparison.Ordinal)) continue;
            return false;
        }
        return true;
    }

    /// <summary>Becomes a copy of <paramref name="other"/>.</summary>
    public void CopyFrom(ArgumentSignature other)
    {
        Clear();
        if (!other.IsSet) return;
        if (_values.Length < other._length) _values = new long[other._values.Length];
        other._values.AsSpan(0, other._length).CopyTo(_values);
        _length = other._length;
        if (_ints.Length < other._intLength) _ints = new long[other._ints.Length];
        other._ints.AsSpan(0, other._intLength).CopyTo(_ints);
        _intLength = other._intLength;
        if (_references.Length < other._referenceCount) _references = new object?[other._references.Length];
        other._references.AsSpan(0, other._referenceCount).CopyTo(_references);
        _referenceCount = other._referenceCount;
        IsSet = true;
    }
}

/// <summary>
/// The signatures of a task group's operations in order (<see cref="Count"/> of them, each possibly unset when the
/// operation was not a declared aclnn operator); reuses its entries.
/// </summary>
internal sealed class SignatureList
{
    private readonly List<ArgumentSignature> _entries = new();

    public int Count { get; private set; }

    /// <summary>Entry <paramref name="index"/>, made (cleared) on first use; <see cref="Count"/> grows to include it.</summary>
    public ArgumentSignature At(int index)
    {
        while (_entries.Count <= index) _entries.Add(new ArgumentSignature());
        while (Count <= index) _entries[Count++].Clear();
        return _entries[index];
    }

    /// <summary>Entry <paramref name="index"/> when it exists and is set, else null.</summary>
    public ArgumentSignature? Get(int index) => index < Count && _entries[index].IsSet ? _entries[index] : null;

    public void Clear() => Count = 0;

    /// <summary>True when every one of the first <paramref name="count"/> entries is set and <see cref="Count"/> is <paramref name="count"/>.</summary>
    public bool Complete(int count)
    {
        if (Count != count) return false;
        for (int i = 0; i < count; i++)
            if (!_entries[i].IsSet) return false;
        return true;
    }

    /// <summary>True when both are complete for <paramref name="count"/> operations and equal entry by entry.</summary>
    public bool SameAs(SignatureList other, int count)
    {
        if (!Complete(count) || !other.Complete(count)) return false;
        for (int i = 0; i < count; i++)
            if (!_entries[i].SameAs(other._entries[i])) return false;
        return true;
    }

    public void CopyFrom(SignatureList other)
    {
        Clear();
        for (int i = 0; i < other.Count; i++) At(i).CopyFrom(other._entries[i]);
    }
}
