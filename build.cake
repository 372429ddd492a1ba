// Task order and tool calls only: the logic lives in CMake (native/), MSBuild (the projects) and build/.
// Run through ./build.sh, e.g. ./build.sh --target=Test

var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");

var nativeBuildDir = $"artifacts/native/{configuration}";
var resultsDir = "artifacts/test-results";
var solution = "Ascend.Interop.sln";
var generatorDir = "build/Ascend.Interop.BindingsGenerator";
var demoDir = "samples/Ascend.Interop.Demo";

// The build cache shared by the runs on this machine (build/build-cache.sh has the same defaults; docs/testing.md
// "Build cache"): ccache's store for the CMake builds and the Debian 13 root's tarball. ASCEND_BUILD_CACHE=off disables it.
var repoRoot = MakeAbsolute(Directory(".")).FullPath;
var home = System.Environment.GetEnvironmentVariable("HOME") ?? "/root";
var xdgCache = System.Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
var buildCache = System.Environment.GetEnvironmentVariable("ASCEND_BUILD_CACHE") is { Length: > 0 } cacheSetting ? cacheSetting
    : (string.IsNullOrEmpty(xdgCache) ? home + "/.cache" : xdgCache) + "/ascend-interop";
System.Environment.SetEnvironmentVariable("ASCEND_BUILD_CACHE", buildCache);
string FindOnPath(string tool) => (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
    .Where(d => d.Length > 0).Select(d => System.IO.Path.Combine(d, tool)).FirstOrDefault(System.IO.File.Exists);
var compilerLauncher = buildCache == "off" ? null : FindOnPath("ccache");
void SetDefault(string name, string value)
{
    if (string.IsNullOrEmpty(System.Environment.GetEnvironmentVariable(name)))
    {
        System.Environment.SetEnvironmentVariable(name, value);
    }
}
if (compilerLauncher != null)
{
    SetDefault("CCACHE_DIR", $"{buildCache}/ccache");
    SetDefault("CCACHE_BASEDIR", repoRoot);   // paths hashed relative to the clone, so any clone finds the same objects
    SetDefault("CCACHE_NOHASHDIR", "1");
    SetDefault("CCACHE_MAXSIZE", "3G");
}
// Passed at every configure, so a build folder never keeps a launcher that is gone (empty = none).
var launcherArguments = $"-DCMAKE_C_COMPILER_LAUNCHER={compilerLauncher} -DCMAKE_CXX_COMPILER_LAUNCHER={compilerLauncher}";
var buildJobs = System.Environment.ProcessorCount;
// The .NET builds build only the simulator library (native/Ascend.Interop.Simulator); its GoogleTest suite is the Native
// task's. Applies only when a build configures the CMake folder first (a fresh clone), so the Demo, Build and Pack
// targets need no GoogleTest (build/prerequisites.sh).
var noNativeTests = "-p:AscendSimTests=OFF";

// Under the Test target every suite runs even when an earlier one failed; failures are collected here
// and reported together at the end. Under any other target the first failure stops the build.
var failedTasks = new List<string>();
var runAllSuites = target == "Test";

void Run(string tool, string arguments, string workingDirectory = null)
{
    Information($"> {tool} {arguments}");
    var settings = new ProcessSettings { Arguments = arguments };
    if (workingDirectory != null)
    {
        settings.WorkingDirectory = workingDirectory;
    }
    var exitCode = StartProcess(tool, settings);
    if (exitCode != 0)
    {
        throw new Exception($"'{tool} {arguments}' exited with code {exitCode}.");
    }
}

void Record(string task, Exception error)
{
    if (!runAllSuites)
    {
        throw error;
    }
    Error($"{task} failed: {error.Message}");
    failedTasks.Add(task);
}

bool HasTestProjects() =>
    ParseSolution(solution).Projects.Any(p => p.Path.FullPath.Contains("/tests/") && p.Path.FullPath.EndsWith(".csproj"));

Task("CleanTestResults")
    .Does(() =>
{
    EnsureDirectoryExists(resultsDir);
    CleanDirectory(resultsDir);
});

Task("Native")
    .Does(() =>
{
    Run("cmake", $"-S native -B {nativeBuildDir} -DCMAKE_BUILD_TYPE={configuration} -DASCEND_SIM_TESTS=ON {launcherArguments}");
    Run("cmake", $"--build {nativeBuildDir} -j{buildJobs}");
})
    .OnError(ex => Record("Native", ex));

Task("NativeTest")
    .IsDependentOn("Native")
    .Does(() =>
{
    EnsureDirectoryExists(resultsDir);
    var junit = MakeAbsolute(File($"{resultsDir}/ctest-junit.xml"));
    DeleteFiles(junit.FullPath);
    Run("ctest", $"--test-dir {nativeBuildDir} -j{buildJobs} --output-on-failure --no-tests=error --output-junit {junit.FullPath}");
})
    .OnError(ex => Record("NativeTest", ex));

// The C++ decoder baseline (bench/native, Google Benchmark) built for the test run: the benchmark tests run its
// --check-only mode and compare its operator sequence and task counts with the C# decode step
// (tests/Ascend.Interop.Benchmarks.Tests). The Bench target builds the same binary in the same folder.
Task("BenchBaseline")
    .IsDependentOn("Native")
    .Does(() =>
{
    var simLibrary = MakeAbsolute(File($"{nativeBuildDir}/libascend_sim.so")).FullPath;
    Run("cmake", $"-S bench/native -B artifacts/bench/native-build -DCMAKE_BUILD_TYPE=Release -DASCEND_SIM_LIBRARY={simLibrary} {launcherArguments}");
    Run("cmake", $"--build artifacts/bench/native-build --target ascend_bench_decoder -j{buildJobs}");
})
    .OnError(ex => Record("BenchBaseline", ex));

Task("BindingsCheck")
    .Does(() =>
{
    if (!GetFiles($"{generatorDir}/*.csproj").Any())
    {
        Warning($"{generatorDir} does not exist yet: the bindings drift check was skipped.");
        return;
    }
    Run("dotnet", $"run --project {generatorDir} -c Release -- --check");
})
    .OnError(ex => Record("BindingsCheck", ex));

Task("Build")
    .Does(() =>
{
    Run("dotnet", $"build {solution} -c {configuration} {noNativeTests}");
})
    .OnError(ex => Record("Build", ex));

Task("DotnetTest")
    .IsDependentOn("Build")
    .Does(() =>
{
    if (!HasTestProjects())
    {
        Warning($"{solution} has no test project under tests/ yet: no .NET test ran.");
        return;
    }
    if (failedTasks.Contains("Build"))
    {
        throw new Exception("the .NET build failed, so the .NET tests cannot run.");
    }
    EnsureDirectoryExists(resultsDir);
    DeleteFiles($"{resultsDir}/*.trx");
    // Microsoft.Testing.Platform (global.json) names each TRX file <project>_<tfm>_<arch>.trx.
    Run("dotnet", $"test --solution {solution} -c {configuration} --no-build --results-directory {resultsDir} --report-trx");
})
    .OnError(ex => Record("DotnetTest", ex));

// Under Test, the Debian 13 root that TorchTest may need (build/torch-tests.sh --prepare: only when the host's libstdc++
// is too old and we are root) is made in the background from the start, while the native and .NET builds run: from the
// build cache in seconds, or with debootstrap, which mostly waits on the network. Its output goes to
// artifacts/test-results/torch/prepare.log; TorchTest waits for it, and its own --ensure redoes whatever failed.
IProcess torchRootPrefetch = null;
Task("PrepareTorchRoot")
    .IsDependentOn("CleanTestResults")
    .Does(() =>
{
    torchRootPrefetch = StartAndReturnProcess("bash", new ProcessSettings { Arguments = $"build/torch-tests.sh --prepare --results {resultsDir}" });
});

void WaitForTorchRoot()
{
    if (torchRootPrefetch != null)
    {
        var prefetch = torchRootPrefetch;
        torchRootPrefetch = null;
        prefetch.WaitForExit();
        Information($"The background preparation of the Debian 13 root ended with code {prefetch.GetExitCode()} ({resultsDir}/torch/prepare.log).");
    }
}

Teardown(context => WaitForTorchRoot());

// The TorchSharp bridge suite is not in the solution: libtorch 2.10 needs libstdc++ from GCC 13+, so
// build/torch-tests.sh builds it on the host and runs it directly, inside a Debian 13 root, or reports every
// test skipped with the reason. Its TRX lands in the results folder after DotnetTest cleared the old ones.
Task("TorchTest")
    .Does(() =>
{
    WaitForTorchRoot();
    EnsureDirectoryExists(resultsDir);
    Run("bash", $"build/torch-tests.sh --configuration {configuration} --results {resultsDir}");
})
    .OnError(ex => Record("TorchTest", ex))
    .Finally(() =>
{
    if (target == "TorchTest")
    {
        StartProcess("dotnet", new ProcessSettings { Arguments = $"run build/TestSummary.cs -- {resultsDir}/torch" });
    }
});

// Sanitizers (docs/testing.md): the simulator built with ASan + UBSan in artifacts/native/asan, then its C tests and the
// .NET suites run against it (LD_PRELOAD of gcc's runtimes). Results go to artifacts/test-results/asan, a subfolder the
// main count does not read (no double counting); the task fails on any failed test or any sanitizer report.
Task("Sanitize")
    .IsDependentOn("Build")
    .Does(() =>
{
    if (failedTasks.Contains("Build"))
    {
        throw new Exception("the .NET build failed, so the .NET suites cannot run under the sanitizers.");
    }
    Run("bash", $"build/sanitize.sh --configuration {configuration} --results {resultsDir}/asan");
})
    .OnError(ex => Record("Sanitize", ex));

// Hardware-in-the-loop (docs/testing.md): every suite on an installed CANN (ASCEND_INTEROP_BACKEND=cann) without the
// Category=SimulatorOnly tests; TRX files and SUMMARY.md in artifacts/hardware. Stops at once when CANN is absent.
Task("HardwareTest")
    .Does(() =>
{
    Run("bash", $"build/hardware-test.sh --configuration {configuration}");
});

// Packages (docs/packaging.md): Ascend.Interop (safe layer + bindings), Ascend.Interop.Simulator (libascend_sim.so as a
// linux-x64 runtime asset) and Ascend.Interop.TorchSharp, each with its .snupkg, into artifacts/packages (emptied first).
// The builds go to artifacts/pack (--artifacts-path), apart from the solution's bin/obj. --versionSuffix=rc.1 makes 0.1.0-rc.1.
var packagesDir = "artifacts/packages";
var shippedProjects = new[] { "src/Ascend.Interop", "native/Ascend.Interop.Simulator", "src/Ascend.Interop.TorchSharp" };

Task("Pack")
    .Does(() =>
{
    EnsureDirectoryExists(packagesDir);
    CleanDirectory(packagesDir);
    var suffix = Argument("versionSuffix", "");
    foreach (var project in shippedProjects)
    {
        if (!GetFiles($"{project}/*.csproj").Any())
        {
            Warning($"{project} does not exist: no package for it.");
            continue;
        }
        Run("dotnet", $"pack {project} -c {configuration} --artifacts-path artifacts/pack -o {packagesDir} -p:AscendPacking=true {noNativeTests}"
            + (suffix.Length > 0 ? $" --version-suffix {suffix}" : ""));
    }
})
    .OnError(ex => Record("Pack", ex));

// The package suite (tests/Ascend.Interop.Packaging.Tests, not in the solution): package contents, then fresh console
// projects that restore the packages from artifacts/packages (isolated NUGET_PACKAGES) and run a capture + replay.
// Its TRX joins the others in the results folder, after DotnetTest cleared the old ones.
Task("PackageTest")
    .IsDependentOn("Pack")
    .Does(() =>
{
    if (failedTasks.Contains("Pack"))
    {
        throw new Exception("Pack failed, so the packages cannot be tested.");
    }
    EnsureDirectoryExists(resultsDir);
    Run("dotnet", $"test --project tests/Ascend.Interop.Packaging.Tests -c {configuration} --results-directory {resultsDir} --report-trx");
})
    .OnError(ex => Record("PackageTest", ex));

// NativeAOT smoke test (docs/packaging.md): publishes tests/Ascend.Interop.AotSmoke with PublishAot=true (any trim/AOT
// warning fails the publish, and this task also fails on any IL2xxx/IL3xxx line in its output), then runs the native
// binary on the simulator beside it. Two test cases in artifacts/test-results/aot-smoke-junit.xml.
Task("AotSmoke")
    .Does(() =>
{
    EnsureDirectoryExists(resultsDir);
    var junit = $"{resultsDir}/aot-smoke-junit.xml";
    DeleteFiles(junit);
    var publishDir = MakeAbsolute(Directory("artifacts/aot-smoke/publish")).FullPath;
    var binary = $"{publishDir}/Ascend.Interop.AotSmoke";
    EnsureDirectoryExists(publishDir);
    CleanDirectory(publishDir);
    var cases = new List<(string Name, double Seconds, string Failure)>();

    var clock = System.Diagnostics.Stopwatch.StartNew();
    var (publishExit, publishOutput) = RunCaptured("dotnet", $"publish tests/Ascend.Interop.AotSmoke -c {configuration} -o {publishDir} {noNativeTests}", null);
    var ilLines = publishOutput.Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"\b(warning|error) IL[23]\d{3}\b")).Distinct().ToList();
    string publishFailure = publishExit != 0 ? $"dotnet publish exited with code {publishExit}.\n" + string.Join("\n", publishOutput.TakeLast(40))
        : ilLines.Count > 0 ? $"{ilLines.Count} trim/AOT diagnostics:\n" + string.Join("\n", ilLines)
        : !FileExists(binary) ? $"{binary} was not produced." : null;
    cases.Add(("publish with PublishAot=true and no trim/AOT warning", clock.Elapsed.TotalSeconds, publishFailure));

    clock.Restart();
    string runFailure;
    if (publishFailure != null)
    {
        runFailure = "not run: the publish failed.";
    }
    else
    {
        var environment = new Dictionary<string, string> { ["ASCEND_INTEROP_BACKEND"] = "sim" };
        var (runExit, runOutput) = RunCaptured(binary, "aot-smoke", environment);
        var text = string.Join("\n", runOutput);
        runFailure = runExit != 0 ? $"exited with code {runExit}:\n{text}"
            : !text.Contains("aot-smoke: check=ok backend=Simulator operations=2 replays=2") ? $"no check=ok line:\n{text}"
            : !text.Contains($"aot-smoke: libraries={publishDir}/libascend_sim.so") ? $"the simulator was not loaded from beside the binary:\n{text}"
            : null;
    }
    cases.Add(("native binary runs a capture + replay on the simulator", clock.Elapsed.TotalSeconds, runFailure));

    WriteJUnit(junit, "AotSmoke", cases);
    var failures = cases.Where(c => c.Failure != null).Select(c => c.Name).ToList();
    if (failures.Count > 0)
    {
        throw new Exception("AOT smoke test failed: " + string.Join("; ", failures));
    }
    Information($"AOT smoke test passed ({cases.Sum(c => c.Seconds):F0} s).");
})
    .OnError(ex => Record("AotSmoke", ex));

(int ExitCode, List<string> Output) RunCaptured(string tool, string arguments, IDictionary<string, string> environment)
{
    Information($"> {tool} {arguments}");
    var settings = new ProcessSettings { Arguments = arguments, RedirectStandardOutput = true, RedirectStandardError = true };
    if (environment != null)
    {
        settings.EnvironmentVariables = environment;
    }
    var exitCode = StartProcess(tool, settings, out var standardOutput, out var standardError);
    var lines = standardOutput.Concat(standardError).ToList();
    foreach (var line in lines)
    {
        Information(line);
    }
    return (exitCode, lines);
}

void WriteJUnit(string path, string suite, List<(string Name, double Seconds, string Failure)> cases)
{
    string Escape(string text) => System.Security.SecurityElement.Escape(text);
    var xml = new System.Text.StringBuilder();
    xml.AppendLine("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    xml.AppendLine($"<testsuite name=\"{suite}\" tests=\"{cases.Count}\" failures=\"{cases.Count(c => c.Failure != null)}\" time=\"{cases.Sum(c => c.Seconds):F1}\">");
    foreach (var c in cases)
    {
        xml.Append($"  <testcase classname=\"{suite}\" name=\"{Escape(c.Name)}\" time=\"{c.Seconds:F1}\"");
        xml.AppendLine(c.Failure == null ? " />" : $">\n    <failure message=\"{Escape(c.Failure.Split('\n')[0])}\">{Escape(c.Failure)}</failure>\n  </testcase>");
    }
    xml.AppendLine("</testsuite>");
    System.IO.File.WriteAllText(path, xml.ToString());
}

// A newcomer's machine (docs/testing.md "FreshMachine"): in a minimal Debian 12 root with only the .NET SDK, a fresh
// console app restores the packed packages and replays a graph, and a clone runs ./build.sh --target=Demo to the end
// (installing what it needs through apt-get). One JUnit test case per check in artifacts/test-results/fresh-machine-junit.xml;
// skipped with the reason where no root can be made (not root, no mirror).
Task("FreshMachine")
    .IsDependentOn("Pack")
    .Does(() =>
{
    Run("bash", $"build/fresh-machine.sh --results {resultsDir} --packages {packagesDir}");
})
    .OnError(ex => Record("FreshMachine", ex));

Task("Test")
    .IsDependentOn("CleanTestResults")
    .IsDependentOn("PrepareTorchRoot")
    .IsDependentOn("Native")
    .IsDependentOn("NativeTest")
    .IsDependentOn("BenchBaseline")
    .IsDependentOn("BindingsCheck")
    .IsDependentOn("Build")
    .IsDependentOn("DotnetTest")
    .IsDependentOn("TorchTest")
    .IsDependentOn("Sanitize")
    .IsDependentOn("PackageTest")
    .IsDependentOn("AotSmoke")
    .IsDependentOn("FreshMachine")
    .Does(() =>
{
    Information("Test results: " + resultsDir);
    var counterExit = StartProcess("dotnet", new ProcessSettings { Arguments = $"run build/TestSummary.cs -- {resultsDir}" });
    if (failedTasks.Count > 0)
    {
        throw new Exception("Failed: " + string.Join(", ", failedTasks));
    }
    if (counterExit != 0)
    {
        throw new Exception("The test results show a failure, or no test ran (see above).");
    }
    Information("Every suite passed.");
});

Task("Demo")
    .Does(() =>
{
    if (!GetFiles($"{demoDir}/*.csproj").Any())
    {
        Warning($"{demoDir} does not exist yet: there is no demo to run.");
        return;
    }
    Run("dotnet", $"build {demoDir} -c {configuration} {noNativeTests}");
    Run("dotnet", $"run --no-build --project {demoDir} -c {configuration}");
});

// Benchmarks (bench/): the C++ baseline (bench/native, Google Benchmark) and the BenchmarkDotNet suite, back to back
// on the same simulator library, then the combined table in bench/RESULTS.md. Takes 10-20 minutes on 2 cores;
// ./build.sh --target=Bench --quick (or --short) is a quick look. Raw outputs stay in artifacts/bench.
Task("Bench")
    .Does(() =>
{
    if (configuration != "Release")
    {
        throw new Exception("Bench measures Release builds only: run it without --configuration (or with Release).");
    }
    var quick = HasArgument("quick") || HasArgument("short");
    var benchDir = MakeAbsolute(Directory("artifacts/bench")).FullPath;
    var simLibrary = MakeAbsolute(File($"{nativeBuildDir}/libascend_sim.so")).FullPath;
    var nativeJson = $"{benchDir}/native.json";
    var decoderJson = $"{benchDir}/native-decoder.json";
    var whileJson = $"{benchDir}/native-while.json";
    var dotnetArtifacts = $"{benchDir}/dotnet";
    var benchProject = "bench/Ascend.Interop.Benchmarks";
    var benchApp = $"{benchProject}/bin/Release/net10.0/Ascend.Interop.Benchmarks.dll";
    EnsureDirectoryExists(dotnetArtifacts);
    CleanDirectory(dotnetArtifacts);

    // Only the simulator library (the Native task also builds its GoogleTest suite); same configuration as Native.
    Run("cmake", $"-S native -B {nativeBuildDir} -DCMAKE_BUILD_TYPE={configuration} -DASCEND_SIM_TESTS=ON");
    Run("cmake", $"--build {nativeBuildDir} --target ascend_sim -j2");
    Run("cmake", $"-S bench/native -B {benchDir}/native-build -DCMAKE_BUILD_TYPE=Release -DASCEND_SIM_LIBRARY={simLibrary}");
    Run("cmake", $"--build {benchDir}/native-build -j2");
    Run("dotnet", $"build {benchProject} -c Release");

    var repetitions = quick ? "--benchmark_repetitions=3 --benchmark_min_time=0.1" : "--benchmark_repetitions=10";
    Run($"{benchDir}/native-build/ascend_bench_native",
        $"{repetitions} --benchmark_report_aggregates_only=true --benchmark_out={nativeJson} --benchmark_out_format=json");
    // The decoder baseline (bench/native/decoder_bench.cpp): checks itself first (graph == eager, task counts).
    Run($"{benchDir}/native-build/ascend_bench_decoder",
        $"{repetitions} --benchmark_report_aggregates_only=true --benchmark_out={decoderJson} --benchmark_out_format=json");
    // The WHILE-loop baseline (bench/native/while_bench.cpp): checks itself first (WHILE launch == K replays, task counts).
    Run($"{benchDir}/native-build/ascend_bench_while",
        $"{repetitions} --benchmark_report_aggregates_only=true --benchmark_out={whileJson} --benchmark_out_format=json");
    Run("dotnet", $"{benchApp} run {(quick ? "--quick " : "")}--artifacts {dotnetArtifacts} --sim-library {simLibrary}");
    Run("dotnet", $"{benchApp} report --dotnet {dotnetArtifacts}/results --native {nativeJson} --native {decoderJson} --native {whileJson} --out bench/RESULTS.md{(quick ? " --quick" : "")}");
});

RunTarget(target);
