namespace Ascend.Interop.Distributed;

/// <summary>
/// The rank side of an <see cref="NpuJob"/> (or of any launcher that sets the same variables):
/// rank, size, device, and the root-info exchange through a file.
/// </summary>
public sealed class NpuJobRank
{
    private NpuJobRank(int rank, int size, int deviceId, string rootInfoFile)
    {
        Rank = rank;
        Size = size;
        DeviceId = deviceId;
        RootInfoFile = rootInfoFile;
    }

    /// <summary>This process's rank.</summary>
    public int Rank { get; }

    /// <summary>Ranks in the job.</summary>
    public int Size { get; }

    /// <summary>The device this rank uses.</summary>
    public int DeviceId { get; }

    /// <summary>Where rank 0 writes the root info.</summary>
    public string RootInfoFile { get; }

    /// <summary>The rank described by the environment, or null when this process was not started as a rank.</summary>
    public static NpuJobRank? FromEnvironment()
    {
        string? rank = Environment.GetEnvironmentVariable(NpuJob.RankVariable);
        string? size = Environment.GetEnvironmentVariable(NpuJob.SizeVariable);
        string? file = Environment.GetEnvironmentVariable(NpuJob.RootInfoFileVariable);
        if (rank is null || size is null || string.IsNullOrEmpty(file)) return null;
        if (!int.TryParse(rank, out int r) || !int.TryParse(size, out int s) || s < 1 || r < 0 || r >= s)
            throw new InvalidOperationException($"{NpuJob.RankVariable}='{rank}' and {NpuJob.SizeVariable}='{size}' do not describe a rank (0 <= rank < size).");
        int device = int.TryParse(Environment.GetEnvironmentVariable(NpuJob.DeviceVariable), out int d) ? d : r;
        return new NpuJobRank(r, s, device, file);
    }

    /// <summary>
    /// Creates this rank's communicator: rank 0 makes the root info and writes it to <see cref="RootInfoFile"/>;
    /// the others wait up to <paramref name="rootInfoTimeout"/> for the file, then all join.
    /// </summary>
    public NpuCommunicator Join(NpuDevice device, TimeSpan rootInfoTimeout)
    {
        ArgumentNullException.ThrowIfNull(device);
        NpuRootInfo root;
        if (Rank == 0)
        {
            root = NpuRootInfo.Create(device);
            root.WriteTo(RootInfoFile);
        }
        else
        {
            root = NpuRootInfo.ReadFrom(RootInfoFile, rootInfoTimeout);
        }
        return NpuCommunicator.Create(device, root, Rank, Size);
    }
}
