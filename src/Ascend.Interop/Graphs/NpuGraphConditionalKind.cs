namespace Ascend.Interop;

/// <summary>What a conditional node does with its condition.</summary>
public enum NpuGraphConditionalKind
{
    /// <summary>Non-zero runs branch 0; zero runs branch 1 when there is one.</summary>
    If = 0,
    /// <summary>Runs branch 0 while the word is non-zero (checked before each iteration; the body must clear it).</summary>
    While = 1,
    /// <summary>Runs branch [value] when the value is below the branch count, else nothing.</summary>
    Switch = 2,
}
