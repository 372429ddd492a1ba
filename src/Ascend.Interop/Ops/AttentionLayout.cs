namespace Ascend.Interop;

/// <summary>The memory layout of attention's query, key/value and output.</summary>
public enum AttentionLayout
{
    /// <summary>[batch, sequence, hidden] with hidden = heads x headDim (CANN's recommended layout).</summary>
    Bsh,
    /// <summary>[batch, sequence, heads, headDim].</summary>
    Bsnd,
    /// <summary>[batch, heads, sequence, headDim].</summary>
    Bnsd,
}
