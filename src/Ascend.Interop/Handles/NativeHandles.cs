using Ascend.Interop.Native;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop.Handles;

/// <summary>An explicitly created device context (<c>aclrtCreateContext</c>).</summary>
public sealed class ContextHandle : NpuSafeHandle
{
    internal ContextHandle(nint native, int deviceId) : base(native, parent: null) => DeviceId = deviceId;

    /// <summary>The device the context belongs to.</summary>
    public int DeviceId { get; }

    private HostCallbackDispatcher? _callbacks;

    /// <summary>The thread that runs host callbacks of the context's streams (started on first use, stopped with the context).</summary>
    internal HostCallbackDispatcher Callbacks
    {
        get
        {
            lock (this) return _callbacks ??= new HostCallbackDispatcher(this);
        }
    }

    /// <summary>Makes this context current on the calling thread (cheap when it already is).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal void MakeCurrent() => MakeCurrent(ThreadBorrows.Current);

    /// <summary>As <see cref="MakeCurrent()"/>, with the calling thread's borrow slots already at hand (one thread-local read per call).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal void MakeCurrent(ThreadBorrows thread)
    {
        if (!ReferenceEquals(thread.CurrentContext, this)) MakeCurrentSlow(thread);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void MakeCurrentSlow(ThreadBorrows thread)
    {
        AclCheck.Check(aclrtSetCurrentContext(NativeHandle.Context(handle)), nameof(aclrtSetCurrentContext),
            $"making device {DeviceId}'s context current on this thread");
        thread.CurrentContext = this;
    }

    /// <summary>Forgets the calling thread's cached current context (after raw context calls).</summary>
    internal static void ForgetCurrent()
    {
        if (ThreadBorrows.CurrentOrNull is { } thread) thread.CurrentContext = null;
    }

    /// <inheritdoc />
    protected override bool ReleaseNative()
    {
        if (ThreadBorrows.CurrentOrNull is { } thread && ReferenceEquals(thread.CurrentContext, this)) thread.CurrentContext = null;
        _callbacks?.Dispose();
        return aclrtDestroyContext(NativeHandle.Context(handle)) == 0;
    }
}

/// <summary>A stream created with <c>aclrtCreateStream</c>.</summary>
public sealed class StreamHandle : NpuSafeHandle
{
    private readonly DeviceState _device;

    internal StreamHandle(nint native, ContextHandle context, DeviceState device) : base(native, context)
    {
        _device = device;
        device.StreamCreated();
    }

    /// <inheritdoc />
    protected override bool ReleaseNative()
    {
        var context = (ContextHandle)Parent!;
        context.MakeCurrentForRelease();
        bool released = aclrtDestroyStream(NativeHandle.Stream(handle)) == 0;
        _device.StreamReleased();
        return released;
    }
}

/// <summary>An event created with <c>aclrtCreateEventExWithFlag</c>.</summary>
public sealed class EventHandle : NpuSafeHandle
{
    internal EventHandle(nint native, ContextHandle context) : base(native, context) { }

    /// <inheritdoc />
    protected override bool ReleaseNative()
    {
        ((ContextHandle)Parent!).MakeCurrentForRelease();
        return aclrtDestroyEvent(NativeHandle.Event(handle)) == 0;
    }
}

/// <summary>Device memory from <c>aclrtMalloc</c>.</summary>
public sealed class DeviceMemoryHandle : NpuSafeHandle
{
    internal DeviceMemoryHandle(nint native, ContextHandle context) : base(native, context) { }

    /// <inheritdoc />
    protected override unsafe bool ReleaseNative()
    {
        ((ContextHandle)Parent!).MakeCurrentForRelease();
        return aclrtFree((void*)handle) == 0;
    }
}

/// <summary>Pinned (page-locked) host memory from <c>aclrtMallocHost</c>.</summary>
public sealed class PinnedMemoryHandle : NpuSafeHandle
{
    internal PinnedMemoryHandle(nint native, ContextHandle context) : base(native, context) { }

    /// <inheritdoc />
    protected override unsafe bool ReleaseNative()
    {
        ((ContextHandle)Parent!).MakeCurrentForRelease();
        return aclrtFreeHost((void*)handle) == 0;
    }
}

internal static class ContextHandleExtensions
{
    /// <summary>Release paths run on any thread (finalizer included): make the owning context current, never throw.</summary>
    public static void MakeCurrentForRelease(this ContextHandle context)
    {
        try { context.MakeCurrent(); } catch (AclException) { }
    }
}
