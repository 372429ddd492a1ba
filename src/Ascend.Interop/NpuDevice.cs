using Ascend.Interop.Handles;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary>
/// An open NPU device. All SDK objects created from it (streams, events, buffers, pools,
/// tensors) keep the device's context alive, and every SDK call makes that context current on
/// the calling thread first, so callers never deal with CANN's per-thread current device.
/// </summary>
public sealed class NpuDevice : NpuResource
{
    private static readonly Lock s_registryLock = new();
    private static readonly Dictionary<int, DeviceState> s_devices = new();

    private readonly DeviceState _shared;

    // The device's handle is its context, current for every call.
    private NpuDevice(int id, DeviceState shared) : base(shared.Context, shared.Context)
    {
        Id = id;
        _shared = shared;
    }

    /// <summary>Number of devices visible to the runtime.</summary>
    public static unsafe int Count
    {
        get
        {
            RuntimeLifetime.AcquireExisting();
            try
            {
                uint count;
                AclCheck.Check(aclrtGetDeviceCount(&count), nameof(aclrtGetDeviceCount));
                return checked((int)count);
            }
            finally
            {
                RuntimeLifetime.Release();
            }
        }
    }

    /// <summary>Opens device <paramref name="id"/>. Opening the same device twice shares one context.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is negative or not below <see cref="Count"/>.</exception>
    public static unsafe NpuDevice Open(int id)
    {
        int count = Count;
        if (id < 0 || id >= count)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Device {id} does not exist: this machine has {count} device(s) (ids 0..{count - 1}).");
        lock (s_registryLock)
        {
            if (s_devices.TryGetValue(id, out var shared))
            {
                shared.Users++;
                return new NpuDevice(id, shared);
            }
            Native.aclrtContext native;
            AclCheck.Check(aclrtCreateContext(&native, id), nameof(aclrtCreateContext), $"opening device {id}");
            var context = new ContextHandle((nint)native, id);
            ContextHandle.ForgetCurrent(); // aclrtCreateContext made it current: let MakeCurrent confirm it
            shared = new DeviceState(id, context);
            shared.Internal = new NpuDevice(id, shared);
            s_devices[id] = shared;
            return new NpuDevice(id, shared);
        }
    }

    /// <summary>The device id.</summary>
    public int Id { get; }

    /// <summary>The device's context; children take references on it.</summary>
    internal ContextHandle Context
    {
        get
        {
            ThrowIfDisposed();
            return _shared.Context;
        }
    }

    /// <summary>The state shared by every object of this device id (readable after this object's Dispose).</summary>
    internal DeviceState State => _shared;

    /// <summary>The device's default stream (CANN's NULL stream). It cannot capture graphs.</summary>
    public NpuStream DefaultStream
    {
        get
        {
            ThrowIfDisposed();
            lock (_shared) return _shared.DefaultStream ??= NpuStream.CreateDefault(_shared.Internal!);
        }
    }

    /// <summary>
    /// The device's default stream-ordered memory pool, used by tensors and operator workspaces;
    /// shared by every <see cref="NpuDevice"/> object of this device id.
    /// </summary>
    public DeviceMemoryPool MemoryPool
    {
        get
        {
            ThrowIfDisposed();
            lock (_shared)
            {
                if (_shared.Pool is null)
                {
                    // The device's own pool (one per device id): named after its owner.
                    _shared.Pool = new DeviceMemoryPool(_shared.Internal!, new DeviceMemoryPoolOptions { Name = $"memory pool of NPU device {_shared.Internal!.Id}" });
                    NpuMetrics.Track(_shared.Pool, "device");
                }
                return _shared.Pool;
            }
        }
    }

    /// <summary>
    /// The device's stream budget: streams and graphs the SDK holds, and how many streams are left
    /// for new captures (each live graph holds at least one).
    /// </summary>
    public NpuStreamBudget StreamBudget
    {
        get
        {
            using var lease = Enter();
            return _shared.Budget();
        }
    }

    /// <summary>Free and total bytes of the device's memory of the given kind.</summary>
    public unsafe (long Free, long Total) GetMemoryInfo(NpuMemoryKind kind = NpuMemoryKind.Hbm)
    {
        using var lease = Enter();
        nuint free, total;
        AclCheck.Check(aclrtGetMemInfo((Native.aclrtMemAttr)(int)kind, &free, &total), nameof(aclrtGetMemInfo));
        return ((long)free, (long)total);
    }

    /// <summary>Creates a stream on this device.</summary>
    public NpuStream CreateStream() => NpuStream.Create(this);

    /// <summary>Creates an event on this device.</summary>
    /// <param name="timing">Record timestamps so <see cref="NpuEvent.ElapsedTime"/> works.</param>
    public NpuEvent CreateEvent(bool timing = true) => NpuEvent.Create(this, timing);

    /// <summary>Waits until all work on all of the device's streams is done.</summary>
    public void Synchronize()
    {
        HostCallbackDispatcher.ThrowIfOnCallbackThread("NpuDevice.Synchronize");
        NpuStream.ThrowIfDeviceCapturing(Id, "NpuDevice.Synchronize");
        using var lease = Enter();
        AclCheck.Check(aclrtSynchronizeDevice(), nameof(aclrtSynchronizeDevice));
    }

    /// <summary>Live graphs per open device id (the graph-count instrument of <see cref="NpuMetrics"/>).</summary>
    internal static List<(int Device, int Graphs)> LiveGraphsByDevice()
    {
        var result = new List<(int, int)>();
        lock (s_registryLock)
        {
            foreach (var (id, state) in s_devices)
                if (state.Graphs != 0) result.Add((id, state.Graphs));
        }
        return result;
    }

    /// <summary>
    /// Releases this device object. The context stays alive while streams, events, buffers or
    /// other device objects created from it exist.
    /// </summary>
    private protected override void ReleaseResource()
    {
        lock (s_registryLock)
        {
            if (--_shared.Users > 0) return;
            s_devices.Remove(Id);
        }
        // Last user of this device id: the pool releases its cached memory (blocks still rented are
        // freed when returned), and the context goes once every child handle is gone.
        _shared.Pool?.Dispose();
        _shared.Context.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"NPU device {Id}";
}
