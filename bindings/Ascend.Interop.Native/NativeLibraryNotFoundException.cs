namespace Ascend.Interop.Native;

/// <summary>No usable native library for the requested backend; the message lists every path tried and what to do.</summary>
public sealed class NativeLibraryNotFoundException : DllNotFoundException
{
    /// <summary>Creates the exception with its message and the load attempts made.</summary>
    public NativeLibraryNotFoundException(string message, IReadOnlyList<NativeLibraryProbe> probes)
        : base(message)
    {
        Probes = probes;
    }

    /// <summary>Every load attempt, in order.</summary>
    public IReadOnlyList<NativeLibraryProbe> Probes { get; }
}
