using System.Runtime.InteropServices;

namespace Ascend.Interop.Native;

/// <summary>Loads libraries and looks up exports; an interface so backend selection can be tested without real files.</summary>
internal interface INativeLibraryLoader
{
    bool TryLoad(string path, out nint handle, out string error);

    bool TryGetExport(nint handle, string name, out nint address);
}

internal sealed class NativeLibraryLoader : INativeLibraryLoader
{
    public static readonly NativeLibraryLoader Instance = new();

    public bool TryLoad(string path, out nint handle, out string error)
    {
        handle = 0;
        if (Path.IsPathRooted(path) && !File.Exists(path))
        {
            error = "file not found";
            return false;
        }
        try
        {
            handle = NativeLibrary.Load(path);
            error = "";
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            // The loader's message carries dlerror(): a missing dependency, wrong architecture, ...
            error = e.Message.ReplaceLineEndings(" ").Trim();
            return false;
        }
    }

    public bool TryGetExport(nint handle, string name, out nint address) => NativeLibrary.TryGetExport(handle, name, out address);
}
