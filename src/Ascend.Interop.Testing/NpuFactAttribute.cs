using System.Runtime.CompilerServices;

namespace Ascend.Interop.Testing;

/// <summary>
/// A fact that needs an NPU backend: it is reported skipped, with the reason, when the required backend
/// (<see cref="Backend"/>) or number of devices (<see cref="MinDevices"/>) is absent.
/// </summary>
/// <example><c>[NpuFact(Backend = NpuBackendRequirement.Cann, MinDevices = 2)]</c></example>
public sealed class NpuFactAttribute : FactAttribute
{
    private NpuBackendRequirement _backend;
    private int _minDevices = 1;

    /// <summary>A fact that runs when any backend with at least one device is present.</summary>
    public NpuFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber) => Update();

    /// <summary>The backend the test needs (default: any).</summary>
    public NpuBackendRequirement Backend
    {
        get => _backend;
        set { _backend = value; Update(); }
    }

    /// <summary>The number of devices the test needs (default 1).</summary>
    public int MinDevices
    {
        get => _minDevices;
        set { _minDevices = value; Update(); }
    }

    private void Update() => Skip = NpuTestEnvironment.GetSkipReason(_backend, _minDevices);
}
