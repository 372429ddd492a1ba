namespace Ascend.Interop.Tests;

/// <summary>The tensors and views a property-test case creates, disposed in reverse order of creation (views before their storage).</summary>
internal sealed class OwnedTensors : List<NpuTensor>, IDisposable
{
    public void Dispose()
    {
        for (int i = Count - 1; i >= 0; i--) this[i].Dispose();
        Clear();
    }
}
