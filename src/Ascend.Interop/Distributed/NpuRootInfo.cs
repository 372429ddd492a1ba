using Ascend.Interop.Native;

namespace Ascend.Interop.Distributed;

/// <summary>
/// The rendezvous token of one communicator (<c>HcclRootInfo</c>, 4,108 opaque bytes). Rank 0 makes it
/// with <see cref="Create"/> and hands the bytes to every other rank (a file, stdout, the job's own
/// channel); all ranks then call <see cref="NpuCommunicator.Create(NpuDevice, NpuRootInfo, int, int)"/>.
/// One root info serves one communicator.
/// </summary>
public sealed class NpuRootInfo
{
    /// <summary>Bytes of a root info (<c>HCCL_ROOT_INFO_BYTES</c>).</summary>
    public const int Size = Hccl.HCCL_ROOT_INFO_BYTES;

    private readonly byte[] _bytes;

    private NpuRootInfo(byte[] bytes) => _bytes = bytes;

    /// <summary>Makes a new root info (<c>HcclGetRootInfo</c>) with <paramref name="device"/> current; call it on rank 0 only.</summary>
    public static unsafe NpuRootInfo Create(NpuDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        HcclLibrary.Require(nameof(Hccl.HcclGetRootInfo), "making a root info");
        var bytes = new byte[Size];
        using (device.Enter())
        {
            fixed (byte* p = bytes)
            {
                var status = (HcclStatus)Hccl.HcclGetRootInfo((HcclRootInfoDef*)p);
                if (status != HcclStatus.Success) throw NpuCommunicator.Failure(status, nameof(Hccl.HcclGetRootInfo), "making a root info");
            }
        }
        return new NpuRootInfo(bytes);
    }

    /// <summary>A root info received from rank 0 (exactly <see cref="Size"/> bytes).</summary>
    public static NpuRootInfo FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
            throw new ArgumentException($"A root info is exactly {Size} bytes (HCCL_ROOT_INFO_BYTES); got {bytes.Length}.", nameof(bytes));
        return new NpuRootInfo(bytes.ToArray());
    }

    /// <summary>A root info from <see cref="ToBase64"/> text (e.g. printed by rank 0 on stdout).</summary>
    public static NpuRootInfo FromBase64(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException e)
        {
            throw new ArgumentException("The root info text is not base64 (as NpuRootInfo.ToBase64 writes it).", nameof(text), e);
        }
        return FromBytes(bytes);
    }

    /// <summary>A copy of the bytes.</summary>
    public byte[] ToArray() => (byte[])_bytes.Clone();

    /// <summary>The bytes as base64 text.</summary>
    public string ToBase64() => Convert.ToBase64String(_bytes);

    /// <summary>Writes the bytes to <paramref name="path"/> atomically (a temporary file renamed into place), so a reader never sees a partial file.</summary>
    public void WriteTo(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string temp = path + ".tmp-" + Environment.ProcessId;
        File.WriteAllBytes(temp, _bytes);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Waits until <paramref name="path"/> exists (rank 0 wrote it) and reads it; <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public static NpuRootInfo ReadFrom(string path, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (File.Exists(path))
            {
                byte[] bytes = File.ReadAllBytes(path);
                if (bytes.Length == Size) return new NpuRootInfo(bytes);
            }
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException($"The root info file '{path}' did not appear within {timeout.TotalSeconds:0.#} s: rank 0 did not start, failed before writing it, or writes elsewhere.");
            Thread.Sleep(20);
        }
    }

    internal ReadOnlySpan<byte> Bytes => _bytes;
}
