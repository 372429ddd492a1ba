using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>
/// Phase 1 of one operator: its <c>aclnnXxxGetWorkspaceSize</c> call, with the arguments taken from
/// <paramref name="call"/> in the C order. Declared once per operator as a static lambda (cached, so no
/// allocation per call).
/// </summary>
internal unsafe delegate int WorkspaceSizeFunction(in OperatorCall call, ulong* workspaceSize, aclOpExecutor** executor);
