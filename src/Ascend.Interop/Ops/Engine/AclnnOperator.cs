using Ascend.Interop.Native;

namespace Ascend.Interop;

/// <summary>
/// The declaration of one two-phase aclnn operator, and the one place where every declared operator is
/// checked, described, launched and recorded: argument checks (null, disposed, device, data types,
/// attributes, shapes), output inference, <c>aclTensor</c> descriptors (cached per tensor), the
/// <c>aclScalar</c>/<c>aclIntArray</c>/<c>aclTensorList</c> made per call and destroyed after the launch,
/// both phases submitted as one <see cref="OperatorLaunch"/> through <see cref="NpuStream.Submit{TWork}"/> (task-group
/// dry run, workspace from the stream's pool, capture recording and failure poisoning).
/// </summary>
/// <remarks>
/// Tensor slots are the inputs in declaration order followed by the outputs; attribute values come in the
/// order of <see cref="Attributes"/>; int arrays and tensor lists are separate (at most two of each).
/// An input whose name ends with '?' is optional (null passes a null <c>aclTensor*</c>); so is an int array
/// or tensor list whose name ends with '?' (empty passes null).
/// </remarks>
internal sealed unsafe class AclnnOperator
{
    /// <summary>Most tensor slots (inputs + outputs) of one operator.</summary>
    public const int MaxTensors = 16;

    /// <summary>Most attribute values of one operator.</summary>
    public const int MaxAttributes = 24;

    /// <summary>Shape scratch per output (matmul's rule writes up to two dimensions past MaxRank before its check).</summary>
    internal const int ShapeStride = TensorShape.MaxRank + 2;

    private readonly AclnnFunction _function;
    private ArgumentSource[]? _arguments;              // per C parameter: bound on first use (ArgumentBinding)
    private readonly string[] _inputs = [];
    private readonly bool[] _optionalInputs = [];
    private readonly OperatorOutput[] _outputs = [new("output")];
    private readonly string[] _intArrays = [];
    private readonly string[] _tensorLists = [];
    private readonly string[] _intArrayNames = [];     // without the optional marker '?': made once, not per call
    private readonly string[] _tensorListNames = [];
    private readonly OperatorAttribute[] _attributes = [];
    private readonly bool _stringAttributes;           // a call needs stack room for UTF-8 strings only then

    /// <param name="name">Name in messages, e.g. "Ops.Add".</param>
    /// <param name="function">The C function, as the bindings generator describes it (<c>AclnnFunctions.Add</c>): both phases and the C parameters the declared slots bind by name.</param>
    public AclnnOperator(string name, AclnnFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        Name = name;
        _function = function;
        AllowsInPlace = TensorLayout.AllowsInPlace(name);
    }

    /// <summary>True when an output may be the very same view as an input (element-wise operators; see <see cref="TensorLayout.CheckOutputs"/>).</summary>
    internal bool AllowsInPlace { get; }

    /// <summary>"Ops.Add".</summary>
    public string Name { get; }

    /// <summary>"aclnnAdd".</summary>
    public string Function => _function.Function;

    /// <summary>"aclnnAddGetWorkspaceSize".</summary>
    public string WorkspaceFunction => _function.WorkspaceFunction;

    /// <summary>The C function both phases call.</summary>
    internal AclnnFunction CFunction => _function;

    /// <summary>Declared names bound to a C parameter of another name (<c>("destination", "selfRef")</c>); see <see cref="ArgumentBinding"/>.</summary>
    public (string Name, string Parameter)[] Binds { get; init; } = [];

    /// <summary>C parameters the declaration passes as constants (<c>("sorted", 1)</c>): integers and bools.</summary>
    public (string Parameter, long Value)[] Fixed { get; init; } = [];

    /// <summary>Where each C argument comes from, bound on first use (and by <see cref="BindArguments"/>).</summary>
    internal ReadOnlySpan<ArgumentSource> Arguments => _arguments ?? BindArguments();

    /// <summary>Binds the declared slots to the C parameters (<see cref="ArgumentBinding"/>); throws when they do not fit.</summary>
    internal ArgumentSource[] BindArguments() => _arguments ??= ArgumentBinding.Bind(this);

    /// <summary>Input tensor names in slot order ("mask?" = optional).</summary>
    public string[] Inputs
    {
        get => _inputs;
        init
        {
            _inputs = new string[value.Length];
            _optionalInputs = new bool[value.Length];
            for (int i = 0; i < value.Length; i++)
            {
                _optionalInputs[i] = value[i].EndsWith('?');
                _inputs[i] = value[i].TrimEnd('?');
            }
            CheckCounts();
        }
    }

    /// <summary>Output tensors after the inputs; default one output "output" of the first input's type.</summary>
    public OperatorOutput[] Outputs { get => _outputs; init { _outputs = value; CheckCounts(); } }

    /// <summary>Attribute values (scalars, plain values, strings) in the order the entry points pass them; each binds the C parameter of its name.</summary>
    public OperatorAttribute[] Attributes
    {
        get => _attributes;
        init
        {
            _attributes = value;
            _stringAttributes = Array.Exists(value, static a => a.Kind == AttributeKind.String);
        }
    }

    /// <summary>Names of the <c>aclIntArray</c> arguments ("name?" = optional: empty passes null), at most two.</summary>
    public string[] IntArrays
    {
        get => _intArrays;
        init
        {
            _intArrays = value.Length <= 2 ? value : throw new ArgumentException($"{Name}: at most two int arrays.");
            _intArrayNames = Array.ConvertAll(value, static n => n.TrimEnd('?'));
        }
    }

    /// <summary>Names of the <c>aclTensorList</c> arguments ("name?" = optional), at most two.</summary>
    public string[] TensorLists
    {
        get => _tensorLists;
        init
        {
            _tensorLists = value.Length <= 2 ? value : throw new ArgumentException($"{Name}: at most two tensor lists.");
            _tensorListNames = Array.ConvertAll(value, static n => n.TrimEnd('?'));
        }
    }

    /// <summary>
    /// True when <see cref="Shapes"/> checks the int arrays' values as completely as the operator's phase 1 does (e.g.
    /// the attention's actual lengths: count and range). A task-group update's dry pass then answers a re-issue that
    /// differs from validated arguments only in those values without calling phase 1 (<c>NpuGraph.Update</c>).
    /// </summary>
    public bool IntArrayValuesChecked { get; init; }

    /// <summary>Checks the inputs' data types (outputs: see <see cref="OperatorOutput"/>).</summary>
    public InputTypeRule Types { get; init; } = InputTypes.Any;

    /// <summary>Checks the inputs' shapes (and attributes depending on them) and states each output's shape.</summary>
    public required ShapeRule Shapes { get; init; }

    internal int InputCount => _inputs.Length;
    internal int OutputCount => _outputs.Length;
    internal bool IsOptionalInput(int input) => _optionalInputs[input];

    // The layout of a call's native handles (OperatorCall.Natives), read by CreateArguments/DestroyArguments and bound
    // into ArgumentSource.Slot: the tensor slots, then the attributes, then two int arrays, then two tensor lists.
    internal int AttributeSlot(int attribute) => _inputs.Length + _outputs.Length + attribute;
    internal int IntArraySlot(int index) => AttributeSlot(_attributes.Length) + index;
    internal int TensorListSlot(int index) => IntArraySlot(2) + index;
    private int NativeSlots => TensorListSlot(2);

    /// <summary>The argument name of tensor slot <paramref name="slot"/> (inputs, then outputs).</summary>
    internal string SlotName(int slot) => slot < _inputs.Length ? _inputs[slot] : _outputs[slot - _inputs.Length].Name;

    internal string IntArrayName(int index) => _intArrayNames[index];
    internal bool IsOptionalIntArray(int index) => _intArrays[index].EndsWith('?');
    internal string TensorListName(int index) => _tensorListNames[index];
    internal bool IsOptionalTensorList(int index) => _tensorLists[index].EndsWith('?');

    private void CheckCounts()
    {
        if (_inputs.Length + _outputs.Length > MaxTensors)
            throw new ArgumentException($"{Name}: more than {MaxTensors} tensor arguments.");
    }

    // ---- entry points ---------------------------------------------------------------------

    /// <summary>
    /// Runs the operator into given outputs: <paramref name="tensors"/> holds the inputs then the outputs.
    /// The steady state allocates no managed memory.
    /// </summary>
    public void Run(NpuStream stream, scoped ReadOnlySpan<NpuTensor?> tensors, scoped ReadOnlySpan<OperatorValue> attributes = default,
        scoped ReadOnlySpan<long> ints = default, scoped ReadOnlySpan<long> ints2 = default,
        scoped ReadOnlySpan<NpuTensor> list = default, scoped ReadOnlySpan<NpuTensor> list2 = default)
    {
        CheckArity(tensors.Length, _inputs.Length + _outputs.Length, attributes.Length);
        Call(stream, tensors, default, attributes, ints, ints2, list, list2);
    }

    /// <summary>Runs the operator into new outputs rented on <paramref name="stream"/>: <paramref name="inputs"/> holds the inputs only. Returns the first output.</summary>
    public NpuTensor Create(NpuStream stream, scoped ReadOnlySpan<NpuTensor?> inputs, scoped ReadOnlySpan<OperatorValue> attributes = default,
        scoped ReadOnlySpan<long> ints = default, scoped ReadOnlySpan<long> ints2 = default,
        scoped ReadOnlySpan<NpuTensor> list = default, scoped ReadOnlySpan<NpuTensor> list2 = default)
    {
        var storage = new TensorSlots();
        Span<NpuTensor?> results = storage;
        Create(stream, inputs, results[.._outputs.Length], attributes, ints, ints2, list, list2);
        return results[0]!;
    }

    /// <summary>As <see cref="Create(NpuStream, ReadOnlySpan{NpuTensor?}, ReadOnlySpan{OperatorValue}, ReadOnlySpan{long}, ReadOnlySpan{long}, ReadOnlySpan{NpuTensor}, ReadOnlySpan{NpuTensor})"/>, every output into <paramref name="results"/>.</summary>
    public void Create(NpuStream stream, scoped ReadOnlySpan<NpuTensor?> inputs, scoped Span<NpuTensor?> results, scoped ReadOnlySpan<OperatorValue> attributes = default,
        scoped ReadOnlySpan<long> ints = default, scoped ReadOnlySpan<long> ints2 = default,
        scoped ReadOnlySpan<NpuTensor> list = default, scoped ReadOnlySpan<NpuTensor> list2 = default)
    {
        CheckArity(inputs.Length, _inputs.Length, attributes.Length);
        if (results.Length != _outputs.Length || results.IsEmpty)
            throw new InvalidOperationException($"{Name}: {results.Length} result slots for {_outputs.Length} outputs.");
        Call(stream, inputs, results, attributes, ints, ints2, list, list2);
    }

    /// <summary>
    /// The one path of every call: checks, output shapes and types, then either the given outputs' checks
    /// (<paramref name="results"/> empty: <paramref name="tensors"/> holds the outputs too) or new outputs into
    /// <paramref name="results"/> (disposed again if anything fails), then the launch.
    /// </summary>
    private void Call(NpuStream stream, scoped ReadOnlySpan<NpuTensor?> tensors, scoped Span<NpuTensor?> results, scoped ReadOnlySpan<OperatorValue> attributes,
        scoped ReadOnlySpan<long> ints, scoped ReadOnlySpan<long> ints2, scoped ReadOnlySpan<NpuTensor> list, scoped ReadOnlySpan<NpuTensor> list2)
    {
        bool infer = !results.IsEmpty;
        var slots = new TensorSlots();
        Span<NpuTensor?> all = ((Span<NpuTensor?>)slots)[..(_inputs.Length + _outputs.Length)];
        tensors.CopyTo(all);
        Span<nint> natives = stackalloc nint[NativeSlots];
        natives[all.Length..].Clear();   // DestroyArguments frees the non-zero handles (Execute writes every tensor slot; SkipLocalsInit.cs)
        Span<byte> strings = _stringAttributes ? stackalloc byte[StringBytes(attributes)] : default;
        var call = new OperatorCall(this, stream, all, attributes, ints, ints2, list, list2, natives, strings);
        CheckArguments(in call, outputsGiven: !infer);
        Span<long> dims = stackalloc long[_outputs.Length * ShapeStride];
        Span<int> ranks = stackalloc int[_outputs.Length];
        var shapes = new OutputShapes(dims, ranks);
        Shapes(in call, ref shapes);
        if (!infer)
        {
            for (int o = 0; o < _outputs.Length; o++)
            {
                var output = all[_inputs.Length + o]!;
                _outputs[o].CheckType(in call, output, _outputs[o].ExpectedType(in call));
                if (shapes.IsChecked(o)) OperatorChecks.CheckShape(Name, _outputs[o].Name, output, shapes.Get(o));
            }
            TensorLayout.CheckOutputs(in call);
            Execute(in call);
            return;
        }
        try
        {
            for (int o = 0; o < _outputs.Length; o++)
            {
                var type = _outputs[o].ExpectedType(in call);
                if (!shapes.IsChecked(o) || type == OperatorOutput.AnyDataType)
                    throw new InvalidOperationException($"{Name}: output '{_outputs[o].Name}' cannot be inferred; pass it explicitly.");
                all[_inputs.Length + o] = NpuTensor.Empty(stream, new TensorShape(shapes.Get(o)), type);
            }
            Execute(in call);
            all[_inputs.Length..].CopyTo(results);
        }
        catch
        {
            for (int o = 0; o < _outputs.Length; o++) all[_inputs.Length + o]?.Dispose();
            throw;
        }
    }

    private void CheckArity(int tensors, int expectedTensors, int attributes)
    {
        if (tensors != expectedTensors || attributes > Attributes.Length)
            throw new InvalidOperationException($"{Name}: declared with {expectedTensors} tensors and {Attributes.Length} attributes, called with {tensors} and {attributes}.");
    }

    private static int StringBytes(ReadOnlySpan<OperatorValue> attributes)
    {
        int bytes = 0;
        foreach (var value in attributes)
            if (value.Text is { } text) bytes += System.Text.Encoding.UTF8.GetMaxByteCount(text.Length) + 1;
        return bytes;
    }

    // ---- checks ---------------------------------------------------------------------------

    private void CheckArguments(in OperatorCall call, bool outputsGiven)
    {
        var stream = call.Stream;
        OperatorChecks.CheckStream(Name, stream);
        int slots = outputsGiven ? _inputs.Length + _outputs.Length : _inputs.Length;
        for (int i = 0; i < slots; i++)
        {
            var tensor = call.Tensors[i];
            if (tensor is null && i < _inputs.Length && _optionalInputs[i]) continue;
            OperatorChecks.CheckTensor(Name, SlotName(i), tensor, stream);
        }
        for (int l = 0; l < _tensorLists.Length; l++)
        {
            var list = call.List(l);
            if (list.IsEmpty && !IsOptionalTensorList(l))
                throw new ArgumentException($"{Name}: tensor list '{TensorListName(l)}' is empty.", TensorListName(l));
            for (int i = 0; i < list.Length; i++) OperatorChecks.CheckTensor(Name, TensorListName(l), list[i], stream);
        }
        for (int k = 0; k < _intArrays.Length; k++)
        {
            if (call.Ints(k).IsEmpty && !IsOptionalIntArray(k))
                throw new ArgumentException($"{Name}: int array '{IntArrayName(k)}' is empty.", IntArrayName(k));
        }
        Types(in call);
        for (int a = 0; a < Attributes.Length; a++) Attributes[a].Check(in call, a);
    }

    // ---- launch ---------------------------------------------------------------------------

    private void Execute(in OperatorCall call)
    {
        var stream = call.Stream;
        // Task groups: a capture keeps the signature of what the group holds; an update's dry pass describes what it
        // re-issues and skips the runtime's phase 1 for arguments the group has seen validated (NpuGraph.Update).
        if (stream.ActiveUpdate is { } update)
        {
            if (update.NextSignature() is { } signature)
            {
                signature.Describe(this, in call);
                if (update.AnsweredByCache(this, signature)) return;
            }
        }
        else if (stream.ActiveCapture is { } capture && capture.OpenGroupSignature() is { } held)
        {
            held.Describe(this, in call);
        }
        var tensors = call.Tensors;
        var natives = call.Natives;
        for (int i = 0; i < tensors.Length; i++)
            natives[i] = tensors[i] is { } tensor ? (nint)tensor.Descriptor(Name, SlotName(i)) : 0;
        try
        {
            CreateArguments(in call);
            var work = new OperatorLaunch(this, call);
            stream.Submit(ref work);
        }
        finally
        {
            DestroyArguments(in call);
        }
    }

    /// <summary>Scalars, strings, int arrays and tensor lists: made per call, after every check passed.</summary>
    private void CreateArguments(in OperatorCall call)
    {
        var natives = call.Natives;
        int stringOffset = 0;
        for (int a = 0; a < call.Attributes.Length; a++)
            natives[AttributeSlot(a)] = Attributes[a].CreateNative(in call, a, ref stringOffset);
        for (int k = 0; k < _intArrays.Length; k++)
        {
            var values = call.Ints(k);
            if (values.IsEmpty && IsOptionalIntArray(k)) continue;
            natives[IntArraySlot(k)] = (nint)AclnnArguments.CreateIntArray(Name, IntArrayName(k), values);
        }
        for (int l = 0; l < _tensorLists.Length; l++)
        {
            var list = call.List(l);
            if (list.IsEmpty && IsOptionalTensorList(l)) continue;
            natives[TensorListSlot(l)] = (nint)AclnnArguments.CreateTensorList(Name, TensorListName(l), list);
        }
    }

    /// <summary>Phase 1's arguments in C order, from the call's native handles and values (<see cref="Arguments"/>).</summary>
    internal void FillArguments(in OperatorCall call, Span<nint> arguments)
    {
        var sources = Arguments;
        var natives = call.Natives;
        for (int p = 0; p < sources.Length; p++)
        {
            ref readonly var source = ref sources[p];
            arguments[p] = source.Slot >= 0 ? natives[source.Slot] : Computed(in call, in source);
        }
    }

    /// <summary>An argument that is no native handle: a plain attribute value, the output's data type, a constant, or null.</summary>
    private static nint Computed(in OperatorCall call, in ArgumentSource source) => source.Kind switch
    {
        ArgumentSourceKind.AttributeValue => Value(call.Value(source.Index), source.Parameter),
        ArgumentSourceKind.OutputType => (nint)(int)call.Output(0)!.DataType,
        ArgumentSourceKind.Fixed => (nint)source.Value,
        _ => 0,
    };

    /// <summary>A plain value as its C parameter's slot holds it: a double's bits, a bool's 0/1, an integer or enum.</summary>
    private static nint Value(OperatorValue value, AclnnParameterKind parameter) => parameter switch
    {
        AclnnParameterKind.Floating => (nint)BitConverter.DoubleToInt64Bits(value.AsDouble),
        AclnnParameterKind.Bool => value.AsLong != 0 ? 1 : 0,
        _ => (nint)value.AsLong,
    };

    private void DestroyArguments(in OperatorCall call)
    {
        var natives = call.Natives;
        for (int a = 0; a < call.Attributes.Length; a++)
        {
            ref nint handle = ref natives[AttributeSlot(a)];
            if (handle != 0) Attributes[a].DestroyNative(handle);
            handle = 0;
        }
        for (int k = 0; k < 2; k++)
        {
            ref nint array = ref natives[IntArraySlot(k)], list = ref natives[TensorListSlot(k)];
            if (array != 0) AclNN.aclDestroyIntArray((aclIntArray*)array);
            if (list != 0) AclNN.aclDestroyTensorList((aclTensorList*)list);
            array = list = 0;
        }
    }
}
