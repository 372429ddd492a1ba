using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>
/// The arguments of one call of a generated typed operator (<see cref="AclnnOperators"/>, a CANN binding's
/// <c>CannOperators</c>), on the caller's stack: the managed checks (stream and tensors: null, disposed, device), then
/// each C argument in slot order (tensor descriptors, the per-call <c>aclScalar</c>, arrays, tensor lists and strings),
/// then <see cref="Submit"/>, which checks the written tensors against the declared operators' output rules and runs
/// both phases as one piece of stream work through the path of the declared operators (<c>NpuStream.Submit</c>:
/// capture recording, task-group update checks, the workspace from the stream's pool, failure poisoning, explained
/// errors). <see cref="Dispose"/> destroys what the call made, whatever happened.
/// Shapes and data types are the runtime's to refuse (<see cref="AclException"/> naming <c>aclnnXxxGetWorkspaceSize</c>).
/// Allocates no managed memory.
/// </summary>
/// <remarks>
/// Generated code uses it as
/// <c>var call = new AclnnCall(stream, AclnnFunctions.Add); try { call.Check(self, "self"); ...; call.Input(0, self, "self"); ...; call.Submit(); } finally { call.Dispose(); }</c>.
/// It is a building block for generated entry points: hand-written code should call those (or <see cref="Ops"/>).
/// </remarks>
public unsafe ref struct AclnnCall
{
    private const int InlineBuffers = 16;

    private readonly AclnnFunction _function;
    private readonly NpuStream _stream;
    private Arguments _arguments;          // slot i: argument i of phase 1 (a pointer, or a plain value's bits)
    private ArgumentKinds _kinds;          // what Dispose releases per slot
    private Buffers _buffers;              // the tensors read and written, with their argument names (the first InlineBuffers)
    private CallBuffer[]? _moreBuffers;    // rented when a call uses more (tensor lists)
    private int _bufferCount;
    private StringBytes _strings;          // UTF-8 strings; longer ones are allocated natively
    private int _stringBytes;

    private enum Made : byte { Nothing, Scalar, IntArray, FloatArray, BoolArray, TensorList, NativeString }

    /// <summary>Starts a call of <paramref name="function"/> on <paramref name="stream"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="stream"/> has been disposed.</exception>
    /// <exception cref="NotSupportedException">The loaded libraries do not export the operator (on the simulator: it is not simulated).</exception>
    public AclnnCall(NpuStream stream, AclnnFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        OperatorChecks.CheckStream(function.Operation, stream);
        function.RequireExports();
        _function = function;
        _stream = stream;
    }

    // ---- managed checks (before any argument is made) ---------------------------------------------

    /// <summary>
    /// Checks tensor argument <paramref name="name"/>: not disposed, on the stream's device; null is refused when
    /// <paramref name="required"/> (the header says so), else passed as a null <c>aclTensor*</c> for the runtime to judge.
    /// </summary>
    public readonly void Check(NpuTensor? tensor, string name, bool required = false)
    {
        if (_function is null) throw NotStarted();
        if (tensor is null && !required) return;
        OperatorChecks.CheckTensor(_function.Operation, name, tensor, _stream);
    }

    /// <summary>Checks every tensor of list argument <paramref name="name"/> (none null or disposed, all on the stream's device).</summary>
    public readonly void Check(ReadOnlySpan<NpuTensor> list, string name)
    {
        if (_function is null) throw NotStarted();
        for (int i = 0; i < list.Length; i++) OperatorChecks.CheckTensor(_function.Operation, name, list[i], _stream);
    }

    // ---- arguments, in slot order -----------------------------------------------------------------

    /// <summary>Tensor argument <paramref name="index"/>, read by the operator (null: a null <c>aclTensor*</c>).</summary>
    public void Input(int index, NpuTensor? tensor, string name) => Tensor(index, tensor, name, BufferAccess.Read);

    /// <summary>Tensor argument <paramref name="index"/>, written by the operator.</summary>
    public void Output(int index, NpuTensor? tensor, string name) => Tensor(index, tensor, name, BufferAccess.Write);

    /// <summary>Tensor argument <paramref name="index"/>, read and written in place (CANN's <c>...Ref</c>).</summary>
    public void InputOutput(int index, NpuTensor? tensor, string name) => Tensor(index, tensor, name, BufferAccess.ReadWrite);

    private void Tensor(int index, NpuTensor? tensor, string name, BufferAccess access)
    {
        Slot(index) = tensor is null ? 0 : (nint)tensor.Descriptor(_function.Operation, name);
        if (tensor is not null) AddBuffer(new CallBuffer(BufferUse.Of(tensor, access), name));
    }

    /// <summary>
    /// <c>aclTensorList*</c> argument <paramref name="index"/>, read by the operator: a list of fresh descriptors the list
    /// owns; an empty list passes null when <paramref name="optional"/>.
    /// </summary>
    public void InputList(int index, ReadOnlySpan<NpuTensor> list, string name, bool optional = false) =>
        TensorList(index, list, name, optional, BufferAccess.Read);

    /// <summary><c>aclTensorList*</c> argument <paramref name="index"/>, written by the operator (as <see cref="InputList"/>).</summary>
    public void OutputList(int index, ReadOnlySpan<NpuTensor> list, string name, bool optional = false) =>
        TensorList(index, list, name, optional, BufferAccess.Write);

    /// <summary><c>aclTensorList*</c> argument <paramref name="index"/>, read and written in place (as <see cref="InputList"/>).</summary>
    public void InputOutputList(int index, ReadOnlySpan<NpuTensor> list, string name, bool optional = false) =>
        TensorList(index, list, name, optional, BufferAccess.ReadWrite);

    private void TensorList(int index, ReadOnlySpan<NpuTensor> list, string name, bool optional, BufferAccess access)
    {
        ref nint slot = ref Slot(index);
        if (list.IsEmpty && optional) return;
        slot = (nint)AclnnArguments.CreateTensorList(_function.Operation, name, list);
        _kinds[index] = (byte)Made.TensorList;
        for (int i = 0; i < list.Length; i++) AddBuffer(new CallBuffer(BufferUse.Of(list[i], access), name));
    }

    /// <summary><c>aclScalar*</c> argument <paramref name="index"/> in the scalar's own type; no value passes null.</summary>
    public void Scalar(int index, NpuScalar value, string name)
    {
        ref nint slot = ref Slot(index);
        if (!value.HasValue) return;
        long bits = value.Bits;
        slot = (nint)AclnnArguments.CreateScalar(_function.Operation, name, &bits, (aclDataType)(int)value.DataType);
        _kinds[index] = (byte)Made.Scalar;
    }

    /// <summary><c>aclIntArray*</c> argument <paramref name="index"/>; an empty span passes null when <paramref name="optional"/>.</summary>
    public void IntArray(int index, ReadOnlySpan<long> values, string name, bool optional = false)
    {
        ref nint slot = ref Slot(index);
        if (values.IsEmpty && optional) return;
        slot = (nint)AclnnArguments.CreateIntArray(_function.Operation, name, values);
        _kinds[index] = (byte)Made.IntArray;
    }

    /// <summary><c>aclFloatArray*</c> argument <paramref name="index"/>; an empty span passes null when <paramref name="optional"/>.</summary>
    public void FloatArray(int index, ReadOnlySpan<float> values, string name, bool optional = false)
    {
        ref nint slot = ref Slot(index);
        if (values.IsEmpty && optional) return;
        fixed (float* p = values)
        {
            var array = AclNN.aclCreateFloatArray(p, (ulong)values.Length);
            if (array == null) throw AclCheck.Create(561103, nameof(AclNN.aclCreateFloatArray), $"{_function.Operation}: describing float array '{name}'");
            slot = (nint)array;
        }
        _kinds[index] = (byte)Made.FloatArray;
    }

    /// <summary><c>aclBoolArray*</c> argument <paramref name="index"/>; an empty span passes null when <paramref name="optional"/>.</summary>
    public void BoolArray(int index, ReadOnlySpan<bool> values, string name, bool optional = false)
    {
        ref nint slot = ref Slot(index);
        if (values.IsEmpty && optional) return;
        fixed (bool* p = values)
        {
            var array = AclNN.aclCreateBoolArray((byte*)p, (ulong)values.Length);
            if (array == null) throw AclCheck.Create(561103, nameof(AclNN.aclCreateBoolArray), $"{_function.Operation}: describing bool array '{name}'");
            slot = (nint)array;
        }
        _kinds[index] = (byte)Made.BoolArray;
    }

    /// <summary><c>char*</c> argument <paramref name="index"/>: NUL-terminated UTF-8; null passes null.</summary>
    public void String(int index, string? value, string name)
    {
        ref nint slot = ref Slot(index);
        if (value is null) return;
        int max = System.Text.Encoding.UTF8.GetMaxByteCount(value.Length) + 1;
        Span<byte> target;
        if (max <= StringBytes.Length - _stringBytes)
        {
            target = MemoryMarshal.CreateSpan(ref _strings[_stringBytes], max);
        }
        else
        {
            target = new Span<byte>(NativeMemory.Alloc((nuint)max), max);
            _kinds[index] = (byte)Made.NativeString;
        }
        int written = System.Text.Encoding.UTF8.GetBytes(value, target);
        target[written] = 0;
        if (_kinds[index] != (byte)Made.NativeString) _stringBytes += written + 1;
        slot = (nint)Unsafe.AsPointer(ref target[0]);   // the struct lives on the caller's stack: the address holds
    }

    /// <summary>A plain integer, bool or enum argument <paramref name="index"/> (phase 1 reads the bits back).</summary>
    public void Value(int index, long value) => Slot(index) = (nint)value;

    /// <summary>A plain <c>double</c> or <c>float</c> argument <paramref name="index"/> (phase 1 reads the bits back).</summary>
    public void Value(int index, double value) => Slot(index) = (nint)BitConverter.DoubleToInt64Bits(value);

    // ---- launch -----------------------------------------------------------------------------------

    /// <summary>
    /// Checks the written tensors (<see cref="CheckOutputs"/>), then runs phase 1 and the launch as one piece of stream
    /// work on the stream given at the start (recorded when it captures). A refusal of the runtime throws
    /// <see cref="AclException"/> naming the C function and its message.
    /// </summary>
    /// <exception cref="ArgumentException">A written tensor is a broadcast or self-overlapping view, or shares memory it must not (named by its C parameter).</exception>
    public void Submit()
    {
        if (_function is null) throw NotStarted();
        var arguments = MemoryMarshal.CreateReadOnlySpan(ref _arguments[0], _function.ArgumentCount);
        var buffers = _moreBuffers is null
            ? MemoryMarshal.CreateReadOnlySpan(ref _buffers[0], _bufferCount)
            : new ReadOnlySpan<CallBuffer>(_moreBuffers, 0, _bufferCount);
        CheckOutputs(_function, buffers);
        var work = new TypedOperatorLaunch(_function, arguments, buffers);
        _stream.Submit(ref work);
    }

    /// <summary>
    /// The declared operators' output rules (<see cref="TensorLayout.CheckOutputs(in OperatorCall)"/>) over the tensors
    /// of one call, by their access: no written tensor is a broadcast or self-overlapping view; two tensors only written
    /// (<c>out</c>, <c>...Out</c>) share no memory; a written tensor shares none with a read one, except the very same
    /// view when the operator <see cref="AclnnFunction.AllowsInPlace"/>. A tensor read and written (<c>...Ref</c>) is
    /// both: written, and read by every other written tensor of the call (so <c>aclnnIndexCopy</c>'s <c>outRef</c> may
    /// be its <c>selfRef</c>, and <c>aclnnInplaceCopy</c>'s <c>src</c> its <c>selfRef</c>). Decided on the views' layout
    /// facts alone; allocates nothing for the usual views.
    /// </summary>
    private static void CheckOutputs(AclnnFunction function, ReadOnlySpan<CallBuffer> buffers)
    {
        string operation = function.Operation;
        for (int o = 0; o < buffers.Length; o++)
        {
            ref readonly var output = ref buffers[o];
            if (!output.Use.Writes) continue;
            var written = output.Use.Tensor!;
            TensorLayout.CheckWritable(written, operation, output.Name);
            for (int p = 0; p < buffers.Length; p++)
            {
                ref readonly var other = ref buffers[p];
                if (p == o) continue;
                if (!other.Use.Reads)
                {
                    // Both only written: compared once. A read-and-written output against an only-written one is
                    // compared from the other side (the only-written one as the output).
                    if (p < o && !output.Use.Reads)
                        TensorLayout.CheckDistinctOutputs(operation, other.Use.Tensor!, other.Name, written, output.Name);
                    continue;
                }
                if (other.Use.Writes && output.Use.Reads && p > o) continue;   // both read and written: compared once
                TensorLayout.CheckInput(operation, function.AllowsInPlace, written, output.Name, other.Use.Tensor!, other.Name);
            }
        }
    }

    /// <summary>Destroys the scalars, arrays, lists and strings the call made, and returns rented storage.</summary>
    public void Dispose()
    {
        if (_function is null) return;
        for (int i = 0; i < _function.ArgumentCount; i++)
        {
            var made = (Made)_kinds[i];
            if (made == Made.Nothing) continue;
            nint handle = _arguments[i];
            _kinds[i] = 0;
            _arguments[i] = 0;
            switch (made)
            {
                case Made.Scalar: AclNN.aclDestroyScalar((aclScalar*)handle); break;
                case Made.IntArray: AclNN.aclDestroyIntArray((aclIntArray*)handle); break;
                case Made.FloatArray: AclNN.aclDestroyFloatArray((aclFloatArray*)handle); break;
                case Made.BoolArray: AclNN.aclDestroyBoolArray((aclBoolArray*)handle); break;
                case Made.TensorList: AclNN.aclDestroyTensorList((aclTensorList*)handle); break;
                case Made.NativeString: NativeMemory.Free((void*)handle); break;
            }
        }
        if (_moreBuffers is { } rented)
        {
            _moreBuffers = null;
            ArrayPool<CallBuffer>.Shared.Return(rented, clearArray: true);
        }
    }

    [UnscopedRef]
    private ref nint Slot(int index)
    {
        if (_function is null) throw NotStarted();
        if ((uint)index >= (uint)_function.ArgumentCount)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{_function.Operation}: argument slot {index} of {_function.ArgumentCount}.");
        if (_kinds[index] != 0)
            throw new InvalidOperationException($"{_function.Operation}: argument slot {index} was set twice.");
        return ref _arguments[index];
    }

    private static InvalidOperationException NotStarted() =>
        new("AclnnCall: a default instance; start a call with new AclnnCall(stream, function).");

    private void AddBuffer(CallBuffer use)
    {
        if (_moreBuffers is null && _bufferCount < InlineBuffers)
        {
            _buffers[_bufferCount++] = use;
            return;
        }
        if (_moreBuffers is null || _bufferCount == _moreBuffers.Length)
        {
            var larger = ArrayPool<CallBuffer>.Shared.Rent(Math.Max(InlineBuffers * 2, _bufferCount * 2));
            if (_moreBuffers is null)
            {
                ReadOnlySpan<CallBuffer> inline = _buffers;
                inline[.._bufferCount].CopyTo(larger);
            }
            else
            {
                _moreBuffers.AsSpan(0, _bufferCount).CopyTo(larger);
                ArrayPool<CallBuffer>.Shared.Return(_moreBuffers, clearArray: true);
            }
            _moreBuffers = larger;
        }
        _moreBuffers[_bufferCount++] = use;
    }

    [InlineArray(AclnnFunction.MaxArguments)]
    private struct Arguments
    {
        private nint _element;
    }

    [InlineArray(AclnnFunction.MaxArguments)]
    private struct ArgumentKinds
    {
        private byte _element;
    }

    [InlineArray(InlineBuffers)]
    private struct Buffers
    {
        private CallBuffer _element;
    }

    [InlineArray(Length)]
    private struct StringBytes
    {
        public const int Length = 256;
        private byte _element;
    }
}
