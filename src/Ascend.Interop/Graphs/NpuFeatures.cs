using System.Runtime.InteropServices;
using Ascend.Interop.Native;
using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

/// <summary>
/// What the loaded CANN (or the simulator, presenting a CANN version) offers of the graph API, detected once per
/// process from the library's exports and its version (<c>aclsysGetVersionNum</c>). A function counts as present
/// when the library exports it <b>and</b> the version is at least the one that added it (a simulator presenting
/// 9.0 exports the 9.1 functions but refuses them with 207000; a real CANN 9.0 library does not export them).
/// Read it from <see cref="NpuRuntime.Features"/>. A call the loaded CANN lacks throws
/// <see cref="NotSupportedException"/> naming the function and the first CANN version that has it.
/// </summary>
public sealed class NpuFeatures
{
    /// <summary>Version numbers as <c>aclsysGetVersionNum</c> encodes them.</summary>
    internal const int Cann90 = 90000000, Cann91 = 90100000, Cann92Beta1 = 90199801;

    private readonly Dictionary<string, bool> _present;

    /// <summary>The first CANN version with each gated function, and its feature group.</summary>
    private static readonly (string Function, int Version, NpuFeatureGroup Group)[] s_functions =
    [
        ("aclmdlRIBuildBegin", Cann90, NpuFeatureGroup.BuiltGraphs),
        ("aclmdlRIBindStream", Cann90, NpuFeatureGroup.BuiltGraphs),
        ("aclmdlRIEndTask", Cann90, NpuFeatureGroup.BuiltGraphs),
        ("aclmdlRIBuildEnd", Cann90, NpuFeatureGroup.BuiltGraphs),
        ("aclmdlRIUnbindStream", Cann90, NpuFeatureGroup.BuiltGraphs),
        ("aclmdlRIExecute", Cann90, NpuFeatureGroup.BuiltGraphs),
        ("aclmdlRIAbort", Cann90, NpuFeatureGroup.BuiltGraphs),
        ("aclmdlRIDestroyRegisterCallback", Cann90, NpuFeatureGroup.BuiltGraphs),
        ("aclmdlRIDestroyUnregisterCallback", Cann90, NpuFeatureGroup.BuiltGraphs),
        ("aclrtValueWrite", Cann90, NpuFeatureGroup.ValueWriteWait),
        ("aclrtValueWait", Cann90, NpuFeatureGroup.ValueWriteWait),
        ("aclmdlRICondHandleCreate", Cann91, NpuFeatureGroup.ConditionalNodes),
        ("aclmdlRICondHandleGetCondPtr", Cann91, NpuFeatureGroup.ConditionalNodes),
        ("aclmdlRIAddCondTask", Cann91, NpuFeatureGroup.ConditionalNodes),
        ("aclmdlRICaptureToModelRIBegin", Cann91, NpuFeatureGroup.ConditionalNodes),
        ("aclmdlRIGetId", Cann91, NpuFeatureGroup.Introspection),
        ("aclmdlRIGetStreams", Cann91, NpuFeatureGroup.Introspection),
        ("aclmdlRIGetTasksByStream", Cann91, NpuFeatureGroup.Introspection),
        ("aclmdlRITaskGetSeqId", Cann91, NpuFeatureGroup.Introspection),
        ("aclmdlRITaskGetType", Cann91, NpuFeatureGroup.Introspection),
        ("aclmdlRITaskGetParams", Cann91, NpuFeatureGroup.Introspection),
        ("aclmdlRIKernelTaskGetAttribute", Cann91, NpuFeatureGroup.Introspection),
        ("aclmdlRITaskSetParams", Cann91, NpuFeatureGroup.InPlaceUpdate),
        ("aclmdlRITaskDisable", Cann91, NpuFeatureGroup.InPlaceUpdate),
        ("aclmdlRIUpdate", Cann91, NpuFeatureGroup.InPlaceUpdate),
        ("aclrtMemPoolMallocAsync", Cann91, NpuFeatureGroup.StreamOrderedPool),
        ("aclrtMemPoolFreeAsync", Cann91, NpuFeatureGroup.StreamOrderedPool),
        ("aclrtMemPoolTrimTo", Cann91, NpuFeatureGroup.StreamOrderedPool),
        ("aclrtRecordEventWithFlag", Cann92Beta1, NpuFeatureGroup.ExternalEvents),
        ("aclrtStreamWaitEventWithFlag", Cann92Beta1, NpuFeatureGroup.ExternalEvents),
    ];

    private static readonly Lock s_lock = new();
    private static NpuFeatures? s_current;

    private NpuFeatures(string? versionText, int versionNumber, Dictionary<string, bool> present)
    {
        CannVersionText = versionText;
        CannVersionNumber = versionNumber;
        CannVersion = ParseVersion(versionText);
        _present = present;
        foreach (var (function, _, group) in s_functions)
            if (present[function]) Groups |= group;
        // A group counts only when all of its functions are there.
        foreach (var (function, _, group) in s_functions)
            if (!present[function]) Groups &= ~group;
    }

    /// <summary>CANN's version as text (<c>aclsysGetVersionStr("runtime")</c>, e.g. "9.1.0" or "9.2.0-beta.1"); null when the library does not say.</summary>
    public string? CannVersionText { get; }

    /// <summary>CANN's version as <c>aclsysGetVersionNum</c> encodes it (9.1.0 = 90100000); 0 when the library does not say.</summary>
    public int CannVersionNumber { get; }

    /// <summary>Major.minor.patch of <see cref="CannVersionText"/> (a pre-release suffix dropped); null when unknown.</summary>
    public Version? CannVersion { get; }

    /// <summary>Every feature group the library offers in full.</summary>
    public NpuFeatureGroup Groups { get; }

    /// <summary>Graphs built explicitly on persistent streams (<c>aclmdlRIBuildBegin</c> ... <c>BuildEnd</c>, <c>Execute</c>, <c>Abort</c>, destroy callbacks; CANN 9.0).</summary>
    public bool BuiltGraphs => Groups.HasFlag(NpuFeatureGroup.BuiltGraphs);

    /// <summary>Stream-ordered 64-bit value writes and waits (<c>aclrtValueWrite</c>, <c>aclrtValueWait</c>; CANN 9.0).</summary>
    public bool ValueWriteWait => Groups.HasFlag(NpuFeatureGroup.ValueWriteWait);

    /// <summary>Conditional nodes: IF, WHILE and SWITCH with child graphs (CANN 9.1.0).</summary>
    public bool ConditionalNodes => Groups.HasFlag(NpuFeatureGroup.ConditionalNodes);

    /// <summary>Graph introspection: ids, streams, tasks, task types and parameters (CANN 9.1.0).</summary>
    public bool Introspection => Groups.HasFlag(NpuFeatureGroup.Introspection);

    /// <summary>In-place editing of a captured graph: set task parameters, disable a task, <c>aclmdlRIUpdate</c> (CANN 9.1.0).</summary>
    public bool InPlaceUpdate => Groups.HasFlag(NpuFeatureGroup.InPlaceUpdate);

    /// <summary>The stream-ordered memory pool's asynchronous allocation (<c>aclrtMemPoolMallocAsync</c> ...; CANN 9.1.0).</summary>
    public bool StreamOrderedPool => Groups.HasFlag(NpuFeatureGroup.StreamOrderedPool);

    /// <summary>External event record/wait for graph-to-stream and graph-to-graph ordering (<c>aclrtRecordEventWithFlag</c>, <c>aclrtStreamWaitEventWithFlag</c>; CANN 9.2.0-beta.1).</summary>
    public bool ExternalEvents => Groups.HasFlag(NpuFeatureGroup.ExternalEvents);

    /// <summary>True when <paramref name="function"/> (a gated CANN function, e.g. "aclmdlRIUpdate") can be called.</summary>
    /// <exception cref="ArgumentException">The SDK does not gate that function (it is part of every CANN the SDK supports, or not a CANN function).</exception>
    public bool Has(string function)
    {
        ArgumentException.ThrowIfNullOrEmpty(function);
        if (!_present.TryGetValue(function, out bool present))
            throw new ArgumentException($"'{function}' is not one of the version-gated CANN functions ({string.Join(", ", _present.Keys)}).", nameof(function));
        return present;
    }

    /// <summary>The first CANN version that has <paramref name="function"/> ("9.0.0", "9.1.0" or "9.2.0-beta.1"), or null when the SDK does not gate it.</summary>
    public static string? FirstVersionOf(string function)
    {
        foreach (var (name, version, _) in s_functions)
            if (name == function) return VersionText(version);
        return null;
    }

    /// <summary>Throws <see cref="NotSupportedException"/> when <paramref name="function"/> is missing; <paramref name="operation"/> is the SDK call that needs it.</summary>
    internal void Require(string function, string operation)
    {
        if (Has(function)) return;
        throw new NotSupportedException(
            $"{operation} needs {function}, which CANN has from version {FirstVersionOf(function)} on; the loaded library is " +
            (CannVersionText is null ? "of unknown version" : $"CANN {CannVersionText}") +
            (NativeLibraryResolver.Backend == NativeBackend.Simulator ? " (the simulator: ASCEND_SIM_CANN_VERSION chooses the version it presents)" : "") +
            (CannVersionNumber != 0 && CannVersionNumber >= MinimumVersion(function) ? " and does not export it" : "") + ".");
    }

    /// <summary>The process's features, detected at the first use (the runtime must be initialized: <c>aclsysGetVersionNum</c> needs <c>aclInit</c>).</summary>
    internal static NpuFeatures Current
    {
        get
        {
            var current = Volatile.Read(ref s_current);
            if (current is not null) return current;
            lock (s_lock)
            {
                return s_current ??= Detect();
            }
        }
    }

    /// <summary>Forgets the detected features (tests that switch the simulator's presented version).</summary>
    internal static void Reset()
    {
        lock (s_lock) s_current = null;
    }

    /// <summary>Detects the features now: the exports through the bindings' resolver, the version from the library.</summary>
    internal static unsafe NpuFeatures Detect()
    {
        int number = 0;
        string? text = null;
        if (NativeLibraryResolver.TryGetExport("ascendcl", "aclsysGetVersionNum", out _))
        {
            byte* package = stackalloc byte[] { (byte)'r', (byte)'u', (byte)'n', (byte)'t', (byte)'i', (byte)'m', (byte)'e', 0 };
            int value;
            if (aclsysGetVersionNum((sbyte*)package, &value) == 0) number = value;
            if (NativeLibraryResolver.TryGetExport("ascendcl", "aclsysGetVersionStr", out _))
            {
                byte* buffer = stackalloc byte[ACL_PKG_VERSION_MAX_SIZE];
                buffer[0] = 0;
                if (aclsysGetVersionStr((sbyte*)package, (sbyte*)buffer) == 0)
                    text = Marshal.PtrToStringUTF8((nint)buffer);
            }
        }
        if (string.IsNullOrEmpty(text)) text = number == 0 ? null : VersionText(number);
        var present = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var (function, version, _) in s_functions)
        {
            bool exported = NativeLibraryResolver.TryGetExport("ascendcl", function, out _);
            present[function] = exported && (number == 0 || number >= version);
        }
        return new NpuFeatures(text, number, present);
    }

    private static int MinimumVersion(string function)
    {
        foreach (var (name, version, _) in s_functions)
            if (name == function) return version;
        return 0;
    }

    /// <summary>Text of an <c>aclsysGetVersionNum</c> number: major*10^7 + minor*10^5 + patch*10^3, less 300/200/100 (alpha/beta/rc) plus the pre-release number.</summary>
    internal static string VersionText(int number)
    {
        int major = number / 10000000, minor = number / 100000 % 100, patch = number / 1000 % 100, rest = number % 1000;
        if (rest == 0) return $"{major}.{minor}.{patch}";
        // A pre-release of the next patch: 90199801 = 9.2.0-beta.1 (90200000 - 200 + 1).
        int next = number + (1000 - rest);
        int kind = (1000 - rest + 99) / 100;  // 3 alpha, 2 beta, 1 rc
        int pre = rest - (1000 - kind * 100);
        string label = kind switch { 3 => "alpha", 2 => "beta", _ => "rc" };
        return $"{next / 10000000}.{next / 100000 % 100}.{next / 1000 % 100}-{label}.{pre}";
    }

    private static Version? ParseVersion(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        int dash = text.IndexOf('-');
        return Version.TryParse(dash < 0 ? text : text[..dash], out var version) ? version : null;
    }

    /// <inheritdoc />
    public override string ToString() => $"CANN {CannVersionText ?? "(version unknown)"}: {Groups}";
}
