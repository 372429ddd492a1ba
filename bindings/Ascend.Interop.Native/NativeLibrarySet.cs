using System.Collections.Frozen;
using System.Text;

namespace Ascend.Interop.Native;

/// <summary>
/// The outcome of backend selection: the chosen backend, the handles behind each logical library name, and
/// every path tried. A logical library that could not be loaded keeps the reason and throws it on first use.
/// </summary>
internal sealed class NativeLibrarySet
{
    private readonly FrozenDictionary<string, nint[]> _handles;
    private readonly FrozenDictionary<string, string> _missing;

    public NativeLibrarySet(NativeBackend backend, Dictionary<string, nint[]> handles, Dictionary<string, string> missing,
        IReadOnlyList<NativeLibraryProbe> probes)
    {
        Backend = backend;
        _handles = handles.ToFrozenDictionary(StringComparer.Ordinal);
        _missing = missing.ToFrozenDictionary(StringComparer.Ordinal);
        Probes = probes;
    }

    public NativeBackend Backend { get; }

    public IReadOnlyList<NativeLibraryProbe> Probes { get; }

    public IReadOnlyList<string> LoadedLibraries =>
        Probes.Where(p => p.Loaded).Select(p => p.Path).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>The handles behind a logical library (several for the split operator libraries).</summary>
    public nint[] GetHandles(string logicalLibrary)
    {
        if (_handles.TryGetValue(logicalLibrary, out nint[]? handles))
        {
            return handles;
        }
        string reason = _missing.TryGetValue(logicalLibrary, out string? text)
            ? text
            : $"'{logicalLibrary}' is not a library of the Ascend.Interop bindings.";
        throw new NativeLibraryNotFoundException(reason, Probes);
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
