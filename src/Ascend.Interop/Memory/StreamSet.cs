namespace Ascend.Interop;

/// <summary>
/// A small set of streams stored inline: two slots, then an array for more (rare). A value type so that a pool block or
/// a tensor's storage carries it without a heap object; copies share the overflow array, which is never written after
/// it is published.
/// </summary>
internal struct StreamSet
{
    private NpuStream? _first, _second;
    private NpuStream[]? _more;

    public readonly bool IsEmpty => _first is null;

    public readonly int Count => _first is null ? 0 : _second is null ? 1 : 2 + (_more?.Length ?? 0);

    public readonly NpuStream this[int index] => index switch
    {
        0 => _first!,
        1 => _second!,
        _ => _more![index - 2],
    };

    /// <summary>True when <paramref name="stream"/> is in the set (reads only the inline slots first).</summary>
    public readonly bool Contains(NpuStream stream)
    {
        if (ReferenceEquals(_first, stream) || ReferenceEquals(_second, stream)) return true;
        if (_more is not { } more) return false;
        foreach (var s in more)
            if (ReferenceEquals(s, stream)) return true;
        return false;
    }

    /// <summary>Adds <paramref name="stream"/> unless present (the caller serializes writers).</summary>
    public void Add(NpuStream stream)
    {
        if (Contains(stream)) return;
        if (_first is null) _first = stream;
        else if (_second is null) _second = stream;
        else _more = _more is null ? [stream] : [.. _more, stream];
    }
}
