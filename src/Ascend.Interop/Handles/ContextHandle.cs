using System.Runtime.CompilerServices;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop.Handles;

/// <summary>An explicitly created device context (<c>aclrtCreateContext</c>).</summary>
internal sealed class ContextHandle : NpuSafeHandle
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void MakeCurrent() => MakeCurrent(ThreadBorrows.Current);

    /// <summary>As <see cref="MakeCurrent()"/>, with the calling thread's borrow slots already at hand (one thread-local read per call).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void MakeCurrent(ThreadBorrows thread)
    {
        if (!ReferenceEquals(thread.CurrentContext, this)) MakeCurrentSlow(thread);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
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

    /// <summary>Release paths run on any thread (finalizer included): make the owning context current, never throw.</summary>
    internal void MakeCurrentForRelease()
    {
        try { MakeCurrent(); } catch (AclException) { }
    }

    /// <inheritdoc />
    protected override bool ReleaseNative()
    {
        if (ThreadBorrows.CurrentOrNull is { } thread && ReferenceEquals(thread.CurrentContext, this)) thread.CurrentContext = null;
        _callbacks?.Dispose();
        return aclrtDestroyContext(NativeHandle.Context(handle)) == 0;
    }
}
