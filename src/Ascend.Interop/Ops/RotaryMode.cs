namespace Ascend.Interop;

/// <summary>How <see cref="Ops.RotaryPositionEmbedding(NpuStream, NpuTensor, NpuTensor, NpuTensor, RotaryMode, NpuTensor)"/> pairs the elements of the last dimension.</summary>
public enum RotaryMode : long
{
    /// <summary>GPT-NeoX style: element i pairs with i + D/2 (rotate_half).</summary>
    Half = 0,
    /// <summary>GPT-J style: elements 2j and 2j+1 form a pair.</summary>
    Interleave = 1,
    /// <summary>Quarter mode (CANN; not accepted by Atlas A2/A3 products, refused by the simulator).</summary>
    Quarter = 2,
    /// <summary>Interleave-half mode (CANN; not accepted by Atlas A2/A3 products, refused by the simulator).</summary>
    InterleaveHalf = 3,
}
