using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Ascend.Interop.Native;
using static Ascend.Interop.OperatorChecks;

namespace Ascend.Interop;

/// <summary>
/// How <see cref="Ops.Invoke(NpuStream, Type, string, object?[])"/> passes each C parameter of one operator, and the
/// engine's registry of operator bindings searched by name (plans cached per bindings class and function).
/// </summary>
internal sealed unsafe class InvokePlan
{
    private static readonly ConcurrentDictionary<(Type, string), InvokePlan> s_plans = new();
    private static readonly List<Type> s_bindings = [typeof(AclnnOps)];

    [RequiresUnreferencedCode("Operators are found by reflection over the bindings class.")]
    internal static void Register([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods)] Type bindings)
    {
        lock (s_bindings)
        {
            if (!s_bindings.Contains(bindings)) s_bindings.Add(bindings);
        }
    }

    /// <summary>The first registered bindings class with <paramref name="function"/>'s phase 1.</summary>
    [RequiresUnreferencedCode("Operators are found by reflection over the bindings class.")]
    [return: DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods)]
    internal static Type Find(string function)
    {
        Type[] searched;
        lock (s_bindings) searched = s_bindings.ToArray();
        foreach (var bindings in searched)
        {
            if (bindings.GetMethod(function + "GetWorkspaceSize", BindingFlags.Public | BindingFlags.Static) is not null)
                return bindings;
        }
        throw new ArgumentException(
            $"Ops.Invoke: no binding of {function}GetWorkspaceSize in {string.Join(", ", searched.Select(t => t.Name))}. " +
            "Bind an installed CANN's operators with the bindings generator's --cann-include and register the class with Ops.RegisterOperatorBindings.",
            nameof(function));
    }

    /// <summary>The cached plan of <paramref name="function"/> in <paramref name="bindings"/>.</summary>
    [RequiresUnreferencedCode("Operators are found by reflection over the bindings class.")]
    internal static InvokePlan For([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods)] Type bindings, string function) =>
        s_plans.GetOrAdd((bindings, function), static key => Create(key.Item1, key.Item2));

    private enum Kind { Tensor, OutputTensor, TensorList, IntArray, FloatArray, BoolArray, Scalar, String, Value }

    private readonly string _function;
    private readonly string _name;
    private readonly MethodInfo _phase1;
    private readonly nint _phase2;
    private readonly (string Name, string CType, Kind Kind, Type Type)[] _parameters;
    private readonly bool _allowsInPlace;

    private InvokePlan(string function, MethodInfo phase1, nint phase2, (string, string, Kind, Type)[] parameters)
    {
        _function = function;
        _name = $"Ops.Invoke({function})";
        _phase1 = phase1;
        _phase2 = phase2;
        _parameters = parameters;
        _allowsInPlace = TensorLayout.AllowsInPlace(function.StartsWith("aclnn", StringComparison.Ordinal) ? function[5..] : function);
    }

    private static InvokePlan Create([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods)] Type bindings, string function)
    {
        string op = $"Ops.Invoke({function})";
        var phase1 = bindings.GetMethod(function + "GetWorkspaceSize", BindingFlags.Public | BindingFlags.Static)
            ?? throw new ArgumentException($"{op}: {bindings.Name} has no {function}GetWorkspaceSize.", nameof(function));
        var phase2 = bindings.GetMethod(function, BindingFlags.Public | BindingFlags.Static, [typeof(void*), typeof(ulong), typeof(aclOpExecutor*), typeof(aclrtStream)]);
        if (phase2 is null || phase2.ReturnType != typeof(int))
            throw new ArgumentException($"{op}: {bindings.Name} has no two-phase launch {function}(void*, uint64_t, aclOpExecutor*, aclrtStream).", nameof(function));
        var parameters = phase1.GetParameters();
        if (phase1.ReturnType != typeof(int) || parameters.Length < 2
            || parameters[^2].ParameterType != typeof(ulong*) || parameters[^1].ParameterType != typeof(aclOpExecutor**))
            throw new ArgumentException($"{op}: {function}GetWorkspaceSize does not end with (uint64_t *workspaceSize, aclOpExecutor **executor).", nameof(function));
        var plan = new (string, string, Kind, Type)[parameters.Length - 2];
        for (int i = 0; i < plan.Length; i++)
        {
            var p = parameters[i];
            string cType = p.ParameterType.Name;
            Type t = p.ParameterType;
            Kind kind = t == typeof(aclTensor*) ? (IsOutput(p.Name ?? "") ? Kind.OutputTensor : Kind.Tensor)
                : t == typeof(aclTensorList*) ? Kind.TensorList
                : t == typeof(aclIntArray*) ? Kind.IntArray
                : t == typeof(aclFloatArray*) ? Kind.FloatArray
                : t == typeof(aclBoolArray*) ? Kind.BoolArray
                : t == typeof(aclScalar*) ? Kind.Scalar
                : t == typeof(sbyte*) || t == typeof(byte*) ? Kind.String
                : t.IsPrimitive || t.IsEnum ? Kind.Value
                : throw new NotSupportedException($"{op}: parameter '{p.Name}' of type '{cType}' is not supported by Ops.Invoke.");
            plan[i] = (p.Name ?? $"param{i}", cType, kind, t);
        }
        return new InvokePlan(function, phase1, phase2.MethodHandle.GetFunctionPointer(), plan);
    }

    /// <summary>
    /// Written tensors, for the graph record. The bindings do not keep C's const at run time, and CANN's headers mark
    /// some outputs const anyway (aclnnRelu's out, aclnnRmsNorm's yOut), so CANN's naming decides: "out", "output",
    /// "...Out", or "...Ref" (in place: read and written).
    /// </summary>
    private static bool IsOutput(string name) =>
        name is "out" or "output" || name.EndsWith("Out", StringComparison.Ordinal) || name.EndsWith("Ref", StringComparison.Ordinal);

    public void Run(NpuStream stream, object?[] arguments)
    {
        CheckStream(_name, stream);
        if (arguments.Length != _parameters.Length)
            throw new ArgumentException($"{_name}: {arguments.Length} arguments given, the C function takes {_parameters.Length} before workspaceSize/executor ({string.Join(", ", _parameters.Select(p => p.Name))}).", nameof(arguments));
        for (int i = 0; i < _parameters.Length; i++) CheckArgument(stream, i, arguments[i]);
        CheckOutputs(arguments);
        if (!NativeLibraryResolver.TryGetExport("opapi", _function + "GetWorkspaceSize", out _) || !NativeLibraryResolver.TryGetExport("opapi", _function, out _))
        {
            throw new NotSupportedException(NativeLibraryResolver.Backend == NativeBackend.Simulator
                ? $"{_function} is not simulated: libascend_sim.so does not export {_function}GetWorkspaceSize/{_function}."
                : $"{_function} is not exported by the loaded CANN operator libraries ({string.Join(", ", NativeLibraryResolver.LoadedLibraries)}).");
        }

        var boxed = new object?[_parameters.Length + 2];
        var created = new List<(Kind Kind, nint Handle)>();
        var inputs = new List<NpuTensor>();
        var outputs = new List<NpuTensor>();
        try
        {
            for (int i = 0; i < _parameters.Length; i++) boxed[i] = MarshalArgument(i, arguments[i], created, inputs, outputs);
            var work = new InvokedOperatorLaunch(_function, _name, _phase1, boxed, (delegate*<void*, ulong, aclOpExecutor*, aclrtStream, int>)_phase2, inputs, outputs);
            stream.Submit(ref work);
        }
        finally
        {
            foreach (var (kind, handle) in created) Destroy(kind, handle);
        }
    }

    private void CheckArgument(NpuStream stream, int index, object? argument)
    {
        var (name, cType, kind, _) = _parameters[index];
        switch (kind)
        {
            case Kind.Tensor or Kind.OutputTensor:
                if (argument is null) return; // optional in C: the runtime refuses a required one
                if (argument is not NpuTensor tensor) throw WrongType(index, argument, "an NpuTensor or null");
                CheckTensor(_name, name, tensor, stream);
                return;
            case Kind.TensorList:
                if (argument is null) return;
                if (argument is not IEnumerable<NpuTensor> list) throw WrongType(index, argument, "NpuTensor[] or null");
                foreach (var element in list) CheckTensor(_name, name, element, stream);
                return;
            case Kind.IntArray when argument is null or long[] or int[] or IEnumerable<long>:
            case Kind.FloatArray when argument is null or float[]:
            case Kind.BoolArray when argument is null or bool[]:
            case Kind.String when argument is null or string:
            case Kind.Scalar when argument is null or double or float or Half or long or int or bool:
                return;
            case Kind.Value when argument is not null && (argument is IConvertible || argument.GetType().IsEnum):
                return;
            default:
                throw WrongType(index, argument, kind switch
                {
                    Kind.IntArray => "long[] or int[]",
                    Kind.FloatArray => "float[]",
                    Kind.BoolArray => "bool[]",
                    Kind.String => "a string",
                    Kind.Scalar => "a double, float, Half, long, int or bool",
                    _ => $"a value convertible to {cType}",
                });
        }
    }

    /// <summary>
    /// The declared operators' output rules (<see cref="TensorLayout.CheckOutputs(in OperatorCall)"/>): no output is a
    /// broadcast or self-overlapping view; outputs share no memory; an output shares none with an input or tensor-list
    /// element, except the very same view for an element-wise operator (by the C name without "aclnn":
    /// <see cref="TensorLayout.AllowsInPlace"/>). A <c>...Ref</c> parameter is the in-place tensor itself: it is not
    /// compared with itself.
    /// </summary>
    private void CheckOutputs(object?[] arguments)
    {
        for (int o = 0; o < _parameters.Length; o++)
        {
            if (_parameters[o].Kind != Kind.OutputTensor || arguments[o] is not NpuTensor output) continue;
            string outputName = _parameters[o].Name;
            TensorLayout.CheckWritable(output, _name, outputName);
            for (int p = 0; p < _parameters.Length; p++)
            {
                if (p == o) continue;
                switch (_parameters[p].Kind, arguments[p])
                {
                    case (Kind.OutputTensor, NpuTensor other) when p < o:
                        TensorLayout.CheckDistinctOutputs(_name, other, _parameters[p].Name, output, outputName);
                        break;
                    case (Kind.Tensor, NpuTensor input):
                        TensorLayout.CheckInput(_name, _allowsInPlace, output, outputName, input, _parameters[p].Name);
                        break;
                    case (Kind.TensorList, IEnumerable<NpuTensor> list):
                        foreach (var element in list) TensorLayout.CheckInput(_name, _allowsInPlace, output, outputName, element, _parameters[p].Name);
                        break;
                }
            }
        }
    }

    private ArgumentException WrongType(int index, object? argument, string expected) =>
        new($"{_name}: argument '{_parameters[index].Name}' ({_parameters[index].CType}) needs {expected}, got {argument?.GetType().Name ?? "null"}.", _parameters[index].Name);

    private object? MarshalArgument(int index, object? argument, List<(Kind, nint)> created, List<NpuTensor> inputs, List<NpuTensor> outputs)
    {
        var (name, _, kind, type) = _parameters[index];
        switch (kind)
        {
            case Kind.Tensor or Kind.OutputTensor:
                if (argument is not NpuTensor tensor) return Pointer.Box(null, type);
                (kind == Kind.Tensor ? inputs : outputs).Add(tensor);
                if (kind == Kind.OutputTensor && name.EndsWith("Ref", StringComparison.Ordinal)) inputs.Add(tensor);
                return Pointer.Box(tensor.Descriptor(_name, name), type);
            case Kind.TensorList:
            {
                if (argument is null) return Pointer.Box(null, type);
                var list = ((IEnumerable<NpuTensor>)argument).ToArray();
                var handle = AclnnArguments.CreateTensorList(_name, name, list);
                created.Add((kind, (nint)handle));
                inputs.AddRange(list);
                return Pointer.Box(handle, type);
            }
            case Kind.IntArray:
            {
                if (argument is null) return Pointer.Box(null, type);
                long[] values = argument switch
                {
                    long[] l => l,
                    int[] n => Array.ConvertAll(n, v => (long)v),
                    _ => ((IEnumerable<long>)argument).ToArray(),
                };
                var handle = AclnnArguments.CreateIntArray(_name, name, values);
                created.Add((kind, (nint)handle));
                return Pointer.Box(handle, type);
            }
            case Kind.FloatArray:
            {
                if (argument is not float[] values) return Pointer.Box(null, type);
                var handle = AclnnArguments.CreateFloatArray(_name, name, values);
                created.Add((kind, (nint)handle));
                return Pointer.Box(handle, type);
            }
            case Kind.BoolArray:
            {
                if (argument is not bool[] values) return Pointer.Box(null, type);
                var handle = AclnnArguments.CreateBoolArray(_name, name, values);
                created.Add((kind, (nint)handle));
                return Pointer.Box(handle, type);
            }
            case Kind.Scalar:
            {
                if (argument is null) return Pointer.Box(null, type);
                aclScalar* handle = CreateScalar(name, argument);
                created.Add((kind, (nint)handle));
                return Pointer.Box(handle, type);
            }
            case Kind.String:
            {
                if (argument is not string text) return Pointer.Box(null, type);
                nint utf8 = System.Runtime.InteropServices.Marshal.StringToCoTaskMemUTF8(text);
                created.Add((kind, utf8));
                return Pointer.Box((void*)utf8, type);
            }
            default:
                if (type == typeof(byte) && argument is bool b) return b ? (byte)1 : (byte)0; // C bool
                if (type.IsEnum) return Enum.ToObject(type, Convert.ToInt64(argument, System.Globalization.CultureInfo.InvariantCulture));
                return Convert.ChangeType(argument, type, System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private aclScalar* CreateScalar(string name, object value)
    {
        switch (value)
        {
            case double d: return AclnnArguments.CreateScalar(_name, name, &d, aclDataType.ACL_DOUBLE);
            case float f: return AclnnArguments.CreateScalar(_name, name, &f, aclDataType.ACL_FLOAT);
            case Half h: return AclnnArguments.CreateScalar(_name, name, &h, aclDataType.ACL_FLOAT16);
            case long l: return AclnnArguments.CreateScalar(_name, name, &l, aclDataType.ACL_INT64);
            case int n: return AclnnArguments.CreateScalar(_name, name, &n, aclDataType.ACL_INT32);
            default:
                byte b = (bool)value ? (byte)1 : (byte)0;
                return AclnnArguments.CreateScalar(_name, name, &b, aclDataType.ACL_BOOL);
        }
    }

    private static void Destroy(Kind kind, nint handle)
    {
        switch (kind)
        {
            case Kind.TensorList: AclNN.aclDestroyTensorList((aclTensorList*)handle); break;
            case Kind.IntArray: AclNN.aclDestroyIntArray((aclIntArray*)handle); break;
            case Kind.FloatArray: AclNN.aclDestroyFloatArray((aclFloatArray*)handle); break;
            case Kind.BoolArray: AclNN.aclDestroyBoolArray((aclBoolArray*)handle); break;
            case Kind.Scalar: AclNN.aclDestroyScalar((aclScalar*)handle); break;
            case Kind.String: System.Runtime.InteropServices.Marshal.FreeCoTaskMem(handle); break;
        }
    }
}
