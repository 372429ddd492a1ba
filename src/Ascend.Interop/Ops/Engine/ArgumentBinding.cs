namespace Ascend.Interop;

/// <summary>
/// Maps a declared operator's slots (inputs, outputs, attributes, int arrays, tensor lists) to the C parameters of its
/// <see cref="AclnnFunction"/> by name, once per declaration; <see cref="AclnnOperator"/> then fills the phase-1 argument
/// span from the call per this map. A declared name binds the C parameter of that name, or else the one whose name
/// differs only in case and in CANN's suffixes (<c>Optional</c>, then <c>Ref</c> or <c>Out</c>: "weight" binds
/// <c>weightOptional</c>, "self" <c>selfRef</c>, "rstd" <c>rstdOut</c>); the output "output" binds <c>out</c>/<c>outRef</c>;
/// <see cref="AclnnOperator.Binds"/> names any other pairing. C parameters no slot binds: a <c>dataType</c> takes the
/// first output's type, <see cref="AclnnOperator.Fixed"/> ones their constant, optional ones null; any other is an error,
/// as is a slot that binds nothing, a parameter bound twice (an in-place tensor named as input and output aside), or a
/// kind mismatch. Errors are <see cref="InvalidOperationException"/>s naming the operator and the C function: a declaration
/// that does not fit its C function fails on its first call, and OperatorDeclarationTests binds every declaration.
/// </summary>
internal static class ArgumentBinding
{
    public static ArgumentSource[] Bind(AclnnOperator op)
    {
        var function = op.CFunction;
        var sources = new ArgumentSource[function.ArgumentCount];
        var bound = new bool[function.ArgumentCount];
        int tensors = op.InputCount + op.OutputCount;
        for (int slot = 0; slot < tensors; slot++)
        {
            string name = op.SlotName(slot);
            if (slot >= op.InputCount && name == "output" && Find(op, name, allowMissing: true) < 0)
                name = "out";
            Set(op, sources, bound, name, ArgumentSourceKind.Tensor, slot);
        }
        for (int a = 0; a < op.Attributes.Length; a++)
        {
            var attribute = op.Attributes[a];
            if (attribute.Kind == AttributeKind.OutputType) continue;
            Set(op, sources, bound, attribute.Name, ArgumentSourceKind.Attribute, a);
        }
        for (int k = 0; k < op.IntArrays.Length; k++) Set(op, sources, bound, op.IntArrayName(k), ArgumentSourceKind.IntArray, k);
        for (int l = 0; l < op.TensorLists.Length; l++) Set(op, sources, bound, op.TensorListName(l), ArgumentSourceKind.TensorList, l);
        foreach (var (parameter, value) in op.Fixed)
        {
            int p = function.IndexOf(parameter);
            if (p < 0) throw Error(op, $"the fixed parameter '{parameter}' is not one of its parameters");
            if (bound[p]) throw Error(op, $"parameter '{parameter}' is both declared and fixed");
            if (function.ParameterKind(p) is not (AclnnParameterKind.Integer or AclnnParameterKind.Bool))
                throw Error(op, $"parameter '{parameter}' is fixed but is not an integer or bool");
            sources[p] = new(ArgumentSourceKind.Fixed, 0, function.ParameterKind(p), value);
            bound[p] = true;
        }
        for (int p = 0; p < sources.Length; p++)
        {
            if (bound[p]) continue;
            var kind = function.ParameterKind(p);
            if (kind == AclnnParameterKind.DataType && op.OutputCount > 0)
                sources[p] = new(ArgumentSourceKind.OutputType, 0, kind);
            else if (function.IsOptionalParameter(p))
                sources[p] = new(ArgumentSourceKind.Null, 0, kind);
            else
                throw Error(op, $"parameter '{function.ParameterName(p)}' is bound by no input, output, attribute, array or list, and not fixed");
        }
        // Where each handle sits among a call's native handles (AclnnOperator's layout).
        for (int p = 0; p < sources.Length; p++)
        {
            var source = sources[p];
            int slot = source.Kind switch
            {
                ArgumentSourceKind.Tensor => source.Index,
                ArgumentSourceKind.Attribute => op.AttributeSlot(source.Index),
                ArgumentSourceKind.IntArray => op.IntArraySlot(source.Index),
                ArgumentSourceKind.TensorList => op.TensorListSlot(source.Index),
                _ => -1,
            };
            sources[p] = source with { Slot = slot };
        }
        return sources;
    }

    private static void Set(AclnnOperator op, ArgumentSource[] sources, bool[] bound, string name, ArgumentSourceKind source, int index)
    {
        var function = op.CFunction;
        foreach (var (declared, parameter) in op.Binds)
            if (declared == name) name = parameter;
        int p = Find(op, name, allowMissing: false);
        var kind = function.ParameterKind(p);
        bool fits = source switch
        {
            ArgumentSourceKind.Tensor => kind == AclnnParameterKind.Tensor,
            ArgumentSourceKind.IntArray => kind == AclnnParameterKind.IntArray,
            ArgumentSourceKind.TensorList => kind == AclnnParameterKind.TensorList,
            _ => op.Attributes[index].Kind switch
            {
                AttributeKind.Scalar or AttributeKind.FloatScalar or AttributeKind.ComparedScalar => kind == AclnnParameterKind.Scalar,
                AttributeKind.String => kind == AclnnParameterKind.String,
                _ => kind is AclnnParameterKind.Integer or AclnnParameterKind.Bool or AclnnParameterKind.Floating or AclnnParameterKind.DataType,
            },
        };
        if (!fits) throw Error(op, $"'{name}' ({source}) cannot bind parameter '{function.ParameterName(p)}' ({kind})");
        if (bound[p])
        {
            // An in-place tensor (selfRef) declared as an input and again as the output: the input's slot passes it.
            if (source == ArgumentSourceKind.Tensor && sources[p].Kind == ArgumentSourceKind.Tensor && index >= op.InputCount) return;
            throw Error(op, $"parameter '{function.ParameterName(p)}' is bound twice");
        }
        if (source == ArgumentSourceKind.Attribute && op.Attributes[index].Kind == AttributeKind.Value) source = ArgumentSourceKind.AttributeValue;
        sources[p] = new(source, index, kind);
        bound[p] = true;
    }

    private static int Find(AclnnOperator op, string name, bool allowMissing)
    {
        var function = op.CFunction;
        int exact = function.IndexOf(name);
        if (exact >= 0) return exact;
        int found = -1;
        for (int p = 0; p < function.ArgumentCount; p++)
        {
            if (!string.Equals(Stem(function.ParameterName(p)), name, StringComparison.OrdinalIgnoreCase)) continue;
            if (found >= 0) throw Error(op, $"'{name}' matches both '{function.ParameterName(found)}' and '{function.ParameterName(p)}'");
            found = p;
        }
        if (found < 0 && !allowMissing) throw Error(op, $"'{name}' names none of its parameters");
        return found;
    }

    /// <summary>"weightOptional" -> "weight", "meanOutOptional" -> "mean", "selfRef" -> "self", "outRef" -> "out".</summary>
    private static string Stem(string parameter)
    {
        if (parameter.EndsWith("Optional", StringComparison.Ordinal)) parameter = parameter[..^"Optional".Length];
        foreach (var suffix in (ReadOnlySpan<string>)["Ref", "Out"])
            if (parameter.Length > suffix.Length && parameter.EndsWith(suffix, StringComparison.Ordinal)) return parameter[..^suffix.Length];
        return parameter;
    }

    private static InvalidOperationException Error(AclnnOperator op, string what) =>
        new($"{op.Name}: the declaration does not fit {op.Function}({op.CFunction.Parameters}): {what}.");
}
