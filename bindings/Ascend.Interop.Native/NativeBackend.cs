namespace Ascend.Interop.Native;

/// <summary>Which native implementation the bindings call.</summary>
public enum NativeBackend
{
    /// <summary>Huawei CANN: libascendcl.so, libnnopbase.so and the operator libraries (libopapi*.so).</summary>
    Cann,

    /// <summary>The Ascend.Interop CPU simulator, libascend_sim.so, which exports the same C API.</summary>
    Simulator,
}
