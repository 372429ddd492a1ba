namespace Ascend.Interop;

/// <summary>
/// aclnn operators on <see cref="NpuTensor"/>s, queued on a stream. Each operator has an overload
/// that writes into a given output tensor and one that infers the output (shape, broadcasting,
/// type) and returns a new tensor rented on the stream. Arguments are checked in managed code first
/// (<see cref="ArgumentNullException"/>, <see cref="ObjectDisposedException"/>, <see cref="ArgumentException"/>
/// naming the operator and argument); failures of the runtime throw <see cref="AclException"/> naming the
/// C function. Inputs of one call must share a type: the SDK does not promote (use <see cref="Cast(NpuStream, NpuTensor, NpuDataType)"/>).
/// The steady-state call of an output overload allocates no managed memory.
/// </summary>
public static partial class Ops
{
    // The public facade of the operator engine (Engine/): one file per family (Ops.Elementwise, Ops.Activations,
    // Ops.Reductions, Ops.Normalization, Ops.MatrixProducts, Ops.Indexing, Ops.Attention, Ops.Comparison,
    // Ops.Logical), each overload a call of the operator's one declaration in Operators (Engine/Operators.<family>.cs).
    // Calls go one way: Ops -> engine -> NpuStream.Submit -> bindings; the engine never names Ops
    // (docs/architecture.md, OperatorEngineLayeringTests).
}
