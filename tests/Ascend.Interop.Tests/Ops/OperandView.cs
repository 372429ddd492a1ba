namespace Ascend.Interop.Tests;

/// <summary>How <see cref="RandomOperands"/> stores an operand of a given logical shape.</summary>
internal enum OperandView
{
    /// <summary>A contiguous tensor of the shape.</summary>
    Contiguous,

    /// <summary>A transposed view of a contiguous storage with two axes swapped (rank 2+, else contiguous).</summary>
    Transposed,

    /// <summary>A slice of a storage longer along one axis (rank 1+, else contiguous).</summary>
    Sliced,

    /// <summary>An expanded view of a storage with size 1 where the shape has its first dimension above 1 (else contiguous).</summary>
    Expanded,
}
