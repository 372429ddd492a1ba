namespace Ascend.Interop.Native.Tests;

/// <summary>A loader over an imaginary file system: the files that "exist" and the symbols each one exports.</summary>
internal sealed class FakeLibraryLoader : INativeLibraryLoader
{
    private readonly Dictionary<string, (nint Handle, HashSet<string> Exports)> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _broken = new(StringComparer.Ordinal);

    public List<string> Attempts { get; } = [];

    public FakeLibraryLoader Add(string path, params string[] exports)
    {
        _files[path] = (_files.Count + 1, new HashSet<string>(exports, StringComparer.Ordinal));
        return this;
    }

    /// <summary>A file that exists but does not load (as dlopen fails on a missing dependency), with that error.</summary>
    public FakeLibraryLoader AddBroken(string path, string error)
    {
        _broken[path] = error;
        return this;
    }

    public nint HandleOf(string path) => _files[path].Handle;

    public bool TryLoad(string path, out nint handle, out string error)
    {
        Attempts.Add(path);
        if (_files.TryGetValue(path, out var file))
        {
            handle = file.Handle;
            error = "";
            return true;
        }
        handle = 0;
        error = _broken.TryGetValue(path, out string? why) ? why : "file not found";
        return false;
    }

    public bool TryGetExport(nint handle, string name, out nint address)
    {
        foreach (var (h, exports) in _files.Values)
        {
            if (h == handle && exports.Contains(name))
            {
                address = h * 1000 + name.Length;
                return true;
            }
        }
        address = 0;
        return false;
    }
}
