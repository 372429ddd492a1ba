namespace Ascend.Interop.BindingsGenerator;

/// <summary>How a tensor or list argument is used (recorded for graphs): by its name, a header comment adding a write.</summary>
internal enum TensorUse
{
    Input,
    Output,
    InputOutput,
}
