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
            // The runtime's message ends with dlerror() (missing dependency, wrong architecture, ...): keep that part.
            string message = e.Message.ReplaceLineEndings(" ");
            const string Marker = "environment variable:";
            int at = message.LastIndexOf(Marker, StringComparison.Ordinal);
            error = (at >= 0 ? message[(at + Marker.Length)..] : message).Trim();
            return false;
        }
    }

    public bool TryGetExport(nint handle, string name, out nint address) => NativeLibrary.TryGetExport(handle, name, out address);
}
