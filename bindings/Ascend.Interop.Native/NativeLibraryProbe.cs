namespace Ascend.Interop.Native;

/// <summary>One load attempt made while choosing the backend: which library, which path, and what happened.</summary>
/// <param name="LogicalLibrary">The library name the bindings use: "ascendcl", "nnopbase", "opapi", "ascend_sim" or "hccl".</param>
/// <param name="Path">The file tried; a bare file name means the operating system's search (LD_LIBRARY_PATH, ld.so cache).</param>
/// <param name="Loaded">Whether it loaded.</param>
/// <param name="Error">Why it did not load (null when it did).</param>
public sealed record NativeLibraryProbe(string LogicalLibrary, string Path, bool Loaded, string? Error)
{
    /// <inheritdoc/>
    public override string ToString() => Loaded ? $"{Path}: loaded ({LogicalLibrary})" : $"{Path}: {Error}";
}
