using System.Reflection;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Ascend.Interop.TorchSharp;

/// <summary>
/// The one LibTorchSharp export TorchSharp does not surface: a CPU tensor's data address
/// (<c>THSTensor_data</c>, libtorch's <c>data_ptr()</c>: the storage base plus the view's storage
/// offset). The library is resolved through TorchSharp's own assembly, so this binds to the very
/// library TorchSharp loaded.
/// </summary>
internal static partial class LibTorchSharpNative
{
    private const string Library = "LibTorchSharp";

    static LibTorchSharpNative() => NativeLibrary.SetDllImportResolver(typeof(LibTorchSharpNative).Assembly, Resolve);

    [LibraryImport(Library, EntryPoint = "THSTensor_data")]
    private static partial nint THSTensor_data(nint tensor);

    /// <summary>Address of the first element of <paramref name="tensor"/> (a CPU, strided tensor).</summary>
    public static nint DataPointer(Tensor tensor)
    {
        nint pointer = THSTensor_data(tensor.Handle);
        if (pointer == 0)
        {
            CheckForErrors(); // LibTorchSharp keeps libtorch's message for the failed call
            throw new InvalidOperationException($"libtorch returned no data address for a tensor of shape [{string.Join(", ", tensor.shape)}].");
        }
        return pointer;
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Library) return 0;
        return NativeLibrary.TryLoad(Library, typeof(Tensor).Assembly, searchPath, out nint handle) ? handle : 0;
    }
}
