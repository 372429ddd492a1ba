namespace Ascend.Interop;

/// <summary>Reusable input data-type rules.</summary>
internal static class InputTypes
{
    /// <summary>No check (the runtime decides; e.g. Cast, Copy).</summary>
    public static readonly InputTypeRule Any = static (in OperatorCall call) => { };

    /// <summary>Every input and list element holds the first input's type, which is in <paramref name="allowed"/>: the SDK does not promote.</summary>
    public static InputTypeRule Same(DataTypeSet allowed) => (in OperatorCall call) => CheckSame(in call, allowed);

    /// <summary>Input <c>i</c> holds a type of <c>sets[i]</c> (null = any); nothing ties inputs together.</summary>
    public static InputTypeRule PerInput(params DataTypeSet?[] sets) => (in OperatorCall call) =>
    {
        for (int i = 0; i < sets.Length; i++)
            if (sets[i] is { } set && call.Input(i) is { } tensor) CheckIn(in call, i, tensor, set);
    };

    /// <summary>Both rules, in order.</summary>
    public static InputTypeRule All(InputTypeRule first, InputTypeRule second) => (in OperatorCall call) =>
    {
        first(in call);
        second(in call);
    };

    private static void CheckSame(in OperatorCall call, DataTypeSet allowed)
    {
        var op = call.Operator;
        NpuTensor? reference = null;
        string referenceName = "";
        for (int i = 0; i < op.InputCount; i++)
        {
            if (call.Input(i) is not { } tensor) continue;
            if (reference is null)
            {
                CheckIn(in call, i, tensor, allowed);
                reference = tensor;
                referenceName = op.SlotName(i);
            }
            else OperatorChecks.CheckSameType(call.Name, op.SlotName(i), tensor, referenceName, reference);
        }
        for (int l = 0; l < op.TensorLists.Length; l++)
        {
            foreach (var tensor in call.List(l))
            {
                if (reference is null)
                {
                    if (!allowed.Contains(tensor.DataType)) ThrowNotIn(call.Name, op.TensorListName(l), tensor, allowed);
                    reference = tensor;
                    referenceName = op.TensorListName(l);
                }
                else OperatorChecks.CheckSameType(call.Name, op.TensorListName(l), tensor, referenceName, reference);
            }
        }
    }

    private static void CheckIn(in OperatorCall call, int input, NpuTensor tensor, DataTypeSet allowed)
    {
        if (!allowed.Contains(tensor.DataType)) ThrowNotIn(call.Name, call.Operator.SlotName(input), tensor, allowed);
    }

    private static void ThrowNotIn(string op, string name, NpuTensor tensor, DataTypeSet allowed) =>
        throw new ArgumentException($"{op}: argument '{name}' holds {tensor.DataType}; the operator needs {allowed.Description}.", name);
}
