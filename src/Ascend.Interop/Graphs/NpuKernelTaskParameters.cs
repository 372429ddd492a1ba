using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>
/// The parameters of a kernel task as the runtime reports them (<c>aclmdlRITaskGetParams</c>) and the kernel launch
/// attributes it lets a program read back (<c>aclmdlRIKernelTaskGetAttribute</c>).
/// </summary>
/// <param name="FunctionHandle">The kernel function (<c>aclrtFuncHandle</c>).</param>
/// <param name="Arguments">A copy of the kernel's argument block.</param>
/// <param name="BlockCount">Blocks the kernel launches with.</param>
/// <param name="InTaskGroup">True when the kernel was captured inside a task group.</param>
/// <param name="ShapeInfoBytes">Size of the cached shape information (<c>opInfoSize</c>), 0 when none.</param>
/// <param name="ScheduleMode">Attribute SCHEM_MODE.</param>
/// <param name="DynamicUbBytes">Attribute DYN_UBUF_SIZE.</param>
/// <param name="TimeoutSeconds">Attribute TIMEOUT (0: the default).</param>
public sealed record NpuKernelTaskParameters(aclrtFuncHandle FunctionHandle, byte[] Arguments, uint BlockCount, bool InTaskGroup, long ShapeInfoBytes,
    byte ScheduleMode, uint DynamicUbBytes, uint TimeoutSeconds);
