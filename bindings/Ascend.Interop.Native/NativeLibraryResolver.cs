using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Ascend.Interop.Native;

/// <summary>
/// Chooses the native backend and resolves the bindings' logical library names ("ascendcl", "nnopbase",
/// "opapi", "ascend_sim", "hccl") to loaded libraries. Installed as this assembly's DllImport resolver by a module
/// initializer; the choice is made once, at the first native call (or the first read of a property here).
/// </summary>
/// <remarks>
/// <para><c>ASCEND_INTEROP_BACKEND</c> = <c>cann</c> | <c>sim</c> | <c>auto</c> (default).</para>
/// <para>cann/auto look for libascendcl.so in <c>$ASCEND_TOOLKIT_HOME/lib64</c>, <c>$ASCEND_HOME_PATH/lib64</c>,
/// <c>/usr/local/Ascend/ascend-toolkit/latest/lib64</c>, <c>/usr/local/Ascend/cann/lib64</c>, then the OS search;
/// libnnopbase.so, libhccl.so and the operator libraries (libopapi.so, or the CANN 9 split libopapi_math/nn/transformer/cv.so)
/// are looked up the same way, starting in the folder libascendcl.so came from. Operators are bound through
/// function pointers looked up across every operator library present (<see cref="GetExport"/>).</para>
/// <para>sim, or auto without CANN: libascend_sim.so from <c>$ASCEND_SIM_LIBRARY</c> when set (then only there),
/// else beside the application (<see cref="AppContext.BaseDirectory"/>, then its runtimes/linux-x64/native/), then the OS search.
/// Every logical library then resolves to the simulator, except "hccl": the simulator's HCCL is a library of its own,
/// libascend_sim_hccl.so (it needs Gloo), loaded at the first HCCL call from <c>$ASCEND_SIM_HCCL_LIBRARY</c> when set
/// (then only there), else from the folder libascend_sim.so came from, beside the application, then the OS search.
/// Its absence fails only HCCL calls, with the missing library and the package that provides it.</para>
/// </remarks>
public static class NativeLibraryResolver
{
    /// <summary>Environment variable choosing the backend: <c>auto</c> (default), <c>cann</c> or <c>sim</c>.</summary>
    public const string BackendVariable = "ASCEND_INTEROP_BACKEND";
    /// <summary>Environment variable naming the simulator library to load (and only that one).</summary>
    public const string SimulatorLibraryVariable = "ASCEND_SIM_LIBRARY";
    /// <summary>Environment variable naming the simulator's HCCL library (libascend_sim_hccl.so) to load at the first HCCL call (and only that one).</summary>
    public const string SimulatorHcclLibraryVariable = "ASCEND_SIM_HCCL_LIBRARY";

    internal const string AscendCl = "ascendcl";
    internal const string NnOpBase = "nnopbase";
    internal const string OpApi = "opapi";
    internal const string AscendSim = "ascend_sim";
    internal const string Hccl = "hccl";

    internal const string SimulatorFileName = "libascend_sim.so";
    internal const string SimulatorHcclFileName = "libascend_sim_hccl.so";

    /// <summary>Operator libraries in lookup order: CANN 8.x's single library first, then CANN 9.0+'s families.</summary>
    internal static readonly string[] OperatorLibraryFiles =
        ["libopapi.so", "libopapi_math.so", "libopapi_nn.so", "libopapi_transformer.so", "libopapi_cv.so"];

    private const string CannAdvice =
        "To use Huawei CANN: install the CANN toolkit and source its environment script " +
        "(`source /usr/local/Ascend/ascend-toolkit/set_env.sh`, or `/usr/local/Ascend/cann/set_env.sh`), " +
        "which sets ASCEND_TOOLKIT_HOME, ASCEND_HOME_PATH and LD_LIBRARY_PATH.";

    private const string SimulatorAdvice =
        "To use the simulator: reference the Ascend.Interop.Simulator package or project (it puts libascend_sim.so beside " +
        "the application), or set ASCEND_SIM_LIBRARY=/path/to/libascend_sim.so; set ASCEND_INTEROP_BACKEND=sim to skip the CANN probe.";

    private static readonly Lazy<NativeLibrarySet> s_current = new(
        () => Resolve(Environment.GetEnvironmentVariable, AppContext.BaseDirectory, NativeLibraryLoader.Instance),
        LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The backend in use. Reading it makes the choice if no native call has yet; throws <see cref="NativeLibraryNotFoundException"/> when nothing loads.</summary>
    public static NativeBackend Backend => s_current.Value.Backend;

    /// <summary>The files that were loaded (bare names were found by the OS search).</summary>
    public static IReadOnlyList<string> LoadedLibraries => s_current.Value.LoadedLibraries;

    /// <summary>Every load attempt, in order, with its outcome.</summary>
    public static IReadOnlyList<NativeLibraryProbe> ProbedPaths => s_current.Value.Probes;

    /// <summary>Makes the backend choice now (instead of at the first native call), so failures surface early.</summary>
    public static void EnsureLoaded() => _ = s_current.Value;

    /// <summary>Address of <paramref name="name"/> in the first loaded library behind <paramref name="logicalLibrary"/> that exports it.</summary>
    public static nint GetExport(string logicalLibrary, string name) =>
        s_current.Value.GetExport(logicalLibrary, name, NativeLibraryLoader.Instance);

    /// <summary>Whether <paramref name="name"/> is exported by the library behind <paramref name="logicalLibrary"/>
    /// (false also when that library is not available with the current backend, e.g. the aclsim* controls on CANN).</summary>
    public static bool TryGetExport(string logicalLibrary, string name, out nint address)
    {
        address = 0;
        try
        {
            address = GetExport(logicalLibrary, name);
            return true;
        }
        catch (Exception e) when (e is NativeLibraryNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "The resolver must be installed before the first LibraryImport call of this assembly; it only registers a callback.")]
    internal static void Install() => NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, ResolveImport);

    private static nint ResolveImport(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName is not (AscendCl or NnOpBase or OpApi or AscendSim or Hccl))
        {
            return 0; // not ours: default probing
        }
        return s_current.Value.GetHandles(libraryName)[0];
    }

    internal static NativeBackend ParseBackend(string? value, out bool auto)
    {
        string text = value?.Trim() ?? "";
        auto = text.Length == 0 || text.Equals("auto", StringComparison.OrdinalIgnoreCase);
        if (auto || text.Equals("cann", StringComparison.OrdinalIgnoreCase))
        {
            return NativeBackend.Cann;
        }
        if (text.Equals("sim", StringComparison.OrdinalIgnoreCase))
        {
            return NativeBackend.Simulator;
        }
        throw new InvalidOperationException(
            $"{BackendVariable}='{value}' is not valid: use 'cann' (Huawei CANN), 'sim' (the Ascend.Interop simulator) " +
            "or 'auto' (CANN when installed, else the simulator; the default when unset).");
    }

    /// <summary>CANN library folders in probe order (unset variables skipped, duplicates removed).</summary>
    internal static List<string> CannLibraryDirectories(Func<string, string?> getVariable)
    {
        var dirs = new List<string>();
        foreach (string? dir in new[]
                 {
                     Lib64(getVariable("ASCEND_TOOLKIT_HOME")),
                     Lib64(getVariable("ASCEND_HOME_PATH")),
                     "/usr/local/Ascend/ascend-toolkit/latest/lib64",
                     "/usr/local/Ascend/cann/lib64",
                 })
        {
            if (dir is not null && !dirs.Contains(dir, StringComparer.Ordinal))
            {
                dirs.Add(dir);
            }
        }
        return dirs;

        static string? Lib64(string? home) => string.IsNullOrWhiteSpace(home) ? null : Path.Combine(home.Trim(), "lib64");
    }

    /// <summary>The backend choice, as a pure function of the environment, the application folder and the loader.</summary>
    internal static NativeLibrarySet Resolve(Func<string, string?> getVariable, string baseDirectory, INativeLibraryLoader loader)
    {
        NativeBackend requested = ParseBackend(getVariable(BackendVariable), out bool auto);
        string mode = auto ? "auto" : requested == NativeBackend.Cann ? "cann" : "sim";
        var probes = new List<NativeLibraryProbe>();

        if (requested == NativeBackend.Cann)
        {
            List<string> dirs = CannLibraryDirectories(getVariable);
            nint? TryFirst(string logical, string file, string? preferredDir)
            {
                var candidates = new List<string>();
                if (preferredDir is not null)
                {
                    candidates.Add(Path.Combine(preferredDir, file));
                }
                candidates.AddRange(dirs.Where(d => d != preferredDir).Select(d => Path.Combine(d, file)));
                candidates.Add(file); // OS search
                foreach (string path in candidates)
                {
                    bool ok = loader.TryLoad(path, out nint handle, out string error);
                    probes.Add(new NativeLibraryProbe(logical, path, ok, ok ? null : error));
                    if (ok)
                    {
                        return handle;
                    }
                }
                return null;
            }

            nint? ascendcl = TryFirst(AscendCl, "libascendcl.so", null);
            if (ascendcl is nint cl)
            {
                string? home = probes[^1].Path.Contains('/') ? Path.GetDirectoryName(probes[^1].Path) : null;
                var handles = new Dictionary<string, nint[]> { [AscendCl] = [cl] };
                var missing = new Dictionary<string, string>
                {
                    [AscendSim] = "The aclsim* functions are simulator controls: they exist only in libascend_sim.so, and the " +
                                  $"backend is CANN ({BackendVariable}={mode}). Set {BackendVariable}=sim to run on the simulator, " +
                                  "or probe for them with NativeLibraryResolver.TryGetExport(\"ascend_sim\", name, out _).",
                };
                if (TryFirst(NnOpBase, "libnnopbase.so", home) is nint nn)
                {
                    handles[NnOpBase] = [nn];
                }
                else
                {
                    missing[NnOpBase] = Failure("libnnopbase.so (aclCreateTensor, executors, aclnnInit) was not found next to libascendcl.so or in any CANN folder", probes,
                        "Install the CANN toolkit's nnopbase component and source set_env.sh.");
                }
                if (TryFirst(Hccl, "libhccl.so", home) is nint hccl)
                {
                    handles[Hccl] = [hccl];
                }
                else
                {
                    missing[Hccl] = Failure("libhccl.so (the Hccl* collective functions) was not found next to libascendcl.so or in any CANN folder", probes,
                        "Install the CANN toolkit's HCCL component (part of the toolkit package) and source set_env.sh.");
                }
                var ops = new List<nint>();
                foreach (string file in OperatorLibraryFiles)
                {
                    if (TryFirst(OpApi, file, home) is nint op)
                    {
                        ops.Add(op);
                    }
                }
                if (ops.Count > 0)
                {
                    handles[OpApi] = [.. ops];
                }
                else
                {
                    missing[OpApi] = Failure("no aclnn operator library (libopapi.so, or libopapi_math/nn/transformer/cv.so) was found", probes,
                        "Install the CANN operator packages (ops-math, ops-nn; in CANN 8.x the opp/kernels package) and source set_env.sh.");
                }
                return new NativeLibrarySet(NativeBackend.Cann, handles, missing, probes);
            }
            if (!auto)
            {
                throw new NativeLibraryNotFoundException(
                    Failure($"{BackendVariable}=cann, but libascendcl.so could not be loaded", probes, CannAdvice + " " +
                        $"Or set {BackendVariable}=sim (or auto) to use the simulator."), probes);
            }
        }

        // The simulator: explicitly requested, or auto without CANN.
        string? explicitPath = getVariable(SimulatorLibraryVariable);
        var simCandidates = !string.IsNullOrWhiteSpace(explicitPath)
            ? new List<string> { explicitPath.Trim() }
            : new List<string>
            {
                Path.Combine(baseDirectory, SimulatorFileName),
                Path.Combine(baseDirectory, "runtimes", "linux-x64", "native", SimulatorFileName),
                SimulatorFileName,
            };
        foreach (string path in simCandidates)
        {
            bool ok = loader.TryLoad(path, out nint handle, out string error);
            probes.Add(new NativeLibraryProbe(AscendSim, path, ok, ok ? null : error));
            if (ok)
            {
                var handles = new Dictionary<string, nint[]>
                {
                    [AscendCl] = [handle], [NnOpBase] = [handle], [OpApi] = [handle], [AscendSim] = [handle],
                };
                var deferred = new Dictionary<string, DeferredLibrary>
                {
                    [Hccl] = SimulatorHccl(getVariable, baseDirectory, path),
                };
                return new NativeLibrarySet(NativeBackend.Simulator, handles, [], probes, deferred, loader);
            }
        }
        string what = auto
            ? $"{BackendVariable}=auto: neither CANN (libascendcl.so) nor the simulator ({SimulatorFileName}) could be loaded"
            : !string.IsNullOrWhiteSpace(explicitPath)
                ? $"{BackendVariable}=sim: the simulator library named by {SimulatorLibraryVariable} could not be loaded"
                : $"{BackendVariable}=sim: the simulator library {SimulatorFileName} could not be loaded";
        throw new NativeLibraryNotFoundException(Failure(what, probes, SimulatorAdvice + (auto ? " " + CannAdvice : "")), probes);
    }

    /// <summary>Where the simulator's HCCL library is looked for, and what a failure to load it says.</summary>
    private static DeferredLibrary SimulatorHccl(Func<string, string?> getVariable, string baseDirectory, string simulatorPath)
    {
        string? explicitPath = getVariable(SimulatorHcclLibraryVariable);
        var candidates = new List<string>();
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            candidates.Add(explicitPath.Trim());
        }
        else
        {
            string? simulatorDir = simulatorPath.Contains('/') ? Path.GetDirectoryName(simulatorPath) : null;
            foreach (string? dir in new[] { simulatorDir, baseDirectory, Path.Combine(baseDirectory, "runtimes", "linux-x64", "native") })
            {
                if (dir is not null && !candidates.Contains(Path.Combine(dir, SimulatorHcclFileName), StringComparer.Ordinal))
                {
                    candidates.Add(Path.Combine(dir, SimulatorHcclFileName));
                }
            }
            candidates.Add(SimulatorHcclFileName); // OS search
        }
        return new DeferredLibrary(candidates, probes => SimulatorHcclFailure(probes, explicitPath is { Length: > 0 }));
    }

    // Shared libraries the simulator's HCCL library needs beyond glibc and libstdc++, with the Debian 12 / Ubuntu
    // package that provides each (libgloo0 depends on the other three).
    private static readonly (string Library, string Package)[] s_hcclDependencies =
    [
        ("libgloo.so", "libgloo0"), ("libhiredis.so", "libhiredis0.14"), ("libibverbs.so", "libibverbs1"),
        ("libnl-route-3.so", "libnl-route-3-200"), ("libnl-3.so", "libnl-3-200"),
    ];

    internal static string SimulatorHcclFailure(IReadOnlyList<NativeLibraryProbe> probes, bool explicitPath)
    {
        // A file that exists but does not load: a dependency is missing (dlerror names that one first, not the file).
        NativeLibraryProbe? broken = probes.FirstOrDefault(p => !p.Loaded && p.Error is { } e && e != "file not found" &&
            !e.StartsWith(Path.GetFileName(p.Path) + ":", StringComparison.Ordinal));
        string what;
        string advice;
        if (broken is not null)
        {
            (string Library, string Package) dependency = s_hcclDependencies.FirstOrDefault(d => broken.Error!.Contains(d.Library, StringComparison.Ordinal));
            string missing = dependency.Library is null ? "a library it depends on" : broken.Error!.Split(':')[0].Trim();
            what = $"The simulator's HCCL library {broken.Path} (the Hccl* collective functions) was found but could not be loaded: " +
                   $"{missing} is missing";
            advice = dependency.Library is null
                ? "The simulator's HCCL runs on Gloo: install it and its dependencies (Debian 12 / Ubuntu: `apt-get install libgloo0`, which libgloo-dev includes)."
                : $"Install the package that provides {missing}: `apt-get install {dependency.Package}` (Debian 12 / Ubuntu; the simulator's HCCL runs on " +
                  "Gloo, whose runtime package libgloo0 brings hiredis, ibverbs and libnl; libgloo-dev includes it).";
        }
        else
        {
            what = explicitPath
                ? $"The simulator's HCCL library named by {SimulatorHcclLibraryVariable} ({SimulatorHcclFileName}, the Hccl* collective functions) could not be loaded"
                : $"The simulator's HCCL library {SimulatorHcclFileName} (the Hccl* collective functions) was not found";
            advice = $"It ships beside {SimulatorFileName} in the Ascend.Interop.Simulator package. A simulator built from source on a machine " +
                     "without Gloo has no HCCL library: install Gloo (Debian 12 / Ubuntu: `apt-get install libgloo-dev`) and rebuild, or set " +
                     $"{SimulatorHcclLibraryVariable}=/path/to/{SimulatorHcclFileName}. Everything but HCCL works without it.";
        }
        var list = probes as List<NativeLibraryProbe> ?? [.. probes];
        return Failure(what, list, advice);
    }

    private static string Failure(string what, List<NativeLibraryProbe> probes, string advice)
    {
        var text = new StringBuilder(what).Append(". Paths tried, in order:");
        foreach (NativeLibraryProbe probe in probes)
        {
            text.Append("\n  ").Append(probe);
        }
        return text.Append('\n').Append(advice).ToString();
    }
}
