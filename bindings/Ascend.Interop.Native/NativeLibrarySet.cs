using System.Collections.Frozen;
using System.Text;

namespace Ascend.Interop.Native;

/// <summary>
/// A logical library loaded at its first use rather than at backend selection (the simulator's HCCL library, which
/// needs Gloo: a program that never uses HCCL never loads it). <paramref name="Candidates"/> are tried in order;
/// <paramref name="Failure"/> builds the message when none loads, from the probes made for it.
/// </summary>
internal sealed record DeferredLibrary(IReadOnlyList<string> Candidates, Func<IReadOnlyList<NativeLibraryProbe>, string> Failure);

/// <summary>
/// The outcome of backend selection: the chosen backend, the handles behind each logical library name, and
/// every path tried. A logical library that could not be loaded keeps the reason and throws it on first use; a
/// deferred one is loaded (or fails, once and for good) at its first use.
/// </summary>
internal sealed class NativeLibrarySet
{
    private readonly FrozenDictionary<string, nint[]> _handles;
    private readonly FrozenDictionary<string, string> _missing;
    private readonly FrozenDictionary<string, Lazy<(nint[]? Handles, string? Failure)>> _deferred;
    private readonly List<NativeLibraryProbe> _probes;

    public NativeLibrarySet(NativeBackend backend, Dictionary<string, nint[]> handles, Dictionary<string, string> missing,
        List<NativeLibraryProbe> probes, Dictionary<string, DeferredLibrary>? deferred = null, INativeLibraryLoader? loader = null)
    {
        Backend = backend;
        _handles = handles.ToFrozenDictionary(StringComparer.Ordinal);
        _missing = missing.ToFrozenDictionary(StringComparer.Ordinal);
        _probes = probes;
        _deferred = (deferred ?? []).ToFrozenDictionary(
            d => d.Key,
            d => new Lazy<(nint[]?, string?)>(() => LoadDeferred(d.Key, d.Value, loader ?? NativeLibraryLoader.Instance),
                LazyThreadSafetyMode.ExecutionAndPublication),
            StringComparer.Ordinal);
    }

    public NativeBackend Backend { get; }

    /// <summary>Every load attempt so far, in order (deferred libraries add theirs at their first use).</summary>
    public IReadOnlyList<NativeLibraryProbe> Probes
    {
        get
        {
            lock (_probes)
            {
                return _probes.ToArray();
            }
        }
    }

    public IReadOnlyList<string> LoadedLibraries =>
        Probes.Where(p => p.Loaded).Select(p => p.Path).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>The handles behind a logical library (several for the split operator libraries).</summary>
    public nint[] GetHandles(string logicalLibrary)
    {
        if (_handles.TryGetValue(logicalLibrary, out nint[]? handles))
        {
            return handles;
        }
        if (_deferred.TryGetValue(logicalLibrary, out Lazy<(nint[]? Handles, string? Failure)>? deferred))
        {
            (nint[]? loaded, string? failure) = deferred.Value;
            return loaded ?? throw new NativeLibraryNotFoundException(failure!, Probes);
        }
        string reason = _missing.TryGetValue(logicalLibrary, out string? text)
            ? text
            : $"'{logicalLibrary}' is not a library of the Ascend.Interop bindings.";
        throw new NativeLibraryNotFoundException(reason, Probes);
    }

    private (nint[]? Handles, string? Failure) LoadDeferred(string logicalLibrary, DeferredLibrary library, INativeLibraryLoader loader)
    {
        var mine = new List<NativeLibraryProbe>();
        foreach (string path in library.Candidates)
        {
            bool ok = loader.TryLoad(path, out nint handle, out string error);
            var probe = new NativeLibraryProbe(logicalLibrary, path, ok, ok ? null : error);
            mine.Add(probe);
            lock (_probes)
            {
                _probes.Add(probe);
            }
            if (ok)
            {
                return ([handle], null);
            }
        }
        return (null, library.Failure(mine));
    }

    public nint GetExport(string logicalLibrary, string name, INativeLibraryLoader loader)
    {
        nint[] handles = GetHandles(logicalLibrary);
        foreach (nint handle in handles)
        {
            if (loader.TryGetExport(handle, name, out nint address))
            {
                return address;
            }
        }
        var loaded = Probes.Where(p => p.Loaded && p.LogicalLibrary == logicalLibrary).Select(p => p.Path);
        var message = new StringBuilder()
            .Append($"The native function '{name}' was not found in any loaded '{logicalLibrary}' library ({string.Join(", ", loaded)}; backend {Backend}).");
        if (logicalLibrary == NativeLibraryResolver.OpApi)
        {
            message.Append(" CANN 8.x exports operators from libopapi.so; CANN 9.0+ splits them into libopapi_math.so, libopapi_nn.so, " +
                "libopapi_transformer.so and libopapi_cv.so: check that the package providing this operator is installed.");
        }
        throw new EntryPointNotFoundException(message.ToString());
    }
}
