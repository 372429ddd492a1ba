namespace Ascend.Interop.Simulator;

/// <summary>
/// Names the native simulator library that this package places beside the application
/// (or under runtimes/linux-x64/native when consumed as a NuGet package).
/// </summary>
public static class SimulatorLibrary
{
    /// <summary>The library name to give <see cref="System.Runtime.InteropServices.NativeLibrary"/>: the loader adds "lib" and ".so".</summary>
    public const string Name = "ascend_sim";

    /// <summary>The file name of the library on Linux.</summary>
    public const string FileName = "libascend_sim.so";
}
