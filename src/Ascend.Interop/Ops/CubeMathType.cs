namespace Ascend.Interop;

/// <summary>How matrix operators may trade precision for speed (aclnn's <c>cubeMathType</c>).</summary>
public enum CubeMathType : sbyte
{
    /// <summary>Compute in the inputs' type (the default).</summary>
    KeepDtype = 0,
    /// <summary>float32 inputs may be computed at lower precision.</summary>
    AllowFp32DownPrecision = 1,
    /// <summary>Compute in float16.</summary>
    UseFp16 = 2,
    /// <summary>Compute in HF32.</summary>
    UseHf32 = 3,
}
