namespace Ascend.Interop.Native.Tests;

/// <summary>Backend choice as a function of the environment, through the resolver's pure entry point (no process env changes).</summary>
public sealed class BackendSelectionTests
{
    private const string App = "/app";
    private const string DefaultToolkit = "/usr/local/Ascend/ascend-toolkit/latest/lib64";
    private const string DefaultCann = "/usr/local/Ascend/cann/lib64";

    private static Func<string, string?> Env(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return name => map.TryGetValue(name, out string? value) ? value : null;
    }

    private static FakeLibraryLoader SimulatorBesideApp() => new FakeLibraryLoader().Add(App + "/libascend_sim.so", "aclInit");

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("auto")]
    [InlineData("AUTO")]
    [InlineData(" auto ")]
    public void Auto_WithoutCann_FallsBackToSimulator_AfterProbingEveryCannFolder(string? value)
    {
        var loader = SimulatorBesideApp();
        var env = value is null ? Env() : Env(("ASCEND_INTEROP_BACKEND", value));

        NativeLibrarySet set = NativeLibraryResolver.Resolve(env, App, loader);

        Assert.Equal(NativeBackend.Simulator, set.Backend);
        Assert.Equal(
            [DefaultToolkit + "/libascendcl.so", DefaultCann + "/libascendcl.so", "libascendcl.so", App + "/libascend_sim.so"],
            loader.Attempts);
        Assert.Equal([App + "/libascend_sim.so"], set.LoadedLibraries);
        nint sim = loader.HandleOf(App + "/libascend_sim.so");
        foreach (string logical in new[] { "ascendcl", "nnopbase", "opapi", "ascend_sim" })
        {
            Assert.Equal([sim], set.GetHandles(logical));
        }
        // The simulator's HCCL is a library of its own, loaded at the first HCCL call (SimulatorHcclResolutionTests).
        Assert.DoesNotContain(loader.Attempts, a => a.Contains("hccl", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("simulator")]
    [InlineData("cann,sim")]
    public void InvalidBackendValue_Throws_NamingTheValueAndTheValidOnes(string value)
    {
        var e = Assert.Throws<InvalidOperationException>(
            () => NativeLibraryResolver.Resolve(Env(("ASCEND_INTEROP_BACKEND", value)), App, SimulatorBesideApp()));

        Assert.Contains($"ASCEND_INTEROP_BACKEND='{value}' is not valid", e.Message);
        Assert.Contains("'cann'", e.Message);
        Assert.Contains("'sim'", e.Message);
        Assert.Contains("'auto'", e.Message);
    }

    [Fact]
    public void Sim_SkipsTheCannProbe()
    {
        var loader = SimulatorBesideApp().Add("/opt/cann/lib64/libascendcl.so", "aclInit");

        NativeLibrarySet set = NativeLibraryResolver.Resolve(
            Env(("ASCEND_INTEROP_BACKEND", "sim"), ("ASCEND_TOOLKIT_HOME", "/opt/cann")), App, loader);

        Assert.Equal(NativeBackend.Simulator, set.Backend);
        Assert.Equal([App + "/libascend_sim.so"], loader.Attempts);
    }

    [Fact]
    public void Sim_FindsTheLibraryUnderRuntimesFolder_WhenNotBesideTheApp()
    {
        var loader = new FakeLibraryLoader().Add(App + "/runtimes/linux-x64/native/libascend_sim.so");

        NativeLibrarySet set = NativeLibraryResolver.Resolve(Env(("ASCEND_INTEROP_BACKEND", "sim")), App, loader);

        Assert.Equal(NativeBackend.Simulator, set.Backend);
        Assert.Equal([App + "/libascend_sim.so", App + "/runtimes/linux-x64/native/libascend_sim.so"], loader.Attempts);
    }

    [Fact]
    public void SimLibraryVariable_IsTheOnlyPathTried()
    {
        var loader = SimulatorBesideApp();

        var e = Assert.Throws<NativeLibraryNotFoundException>(() => NativeLibraryResolver.Resolve(
            Env(("ASCEND_INTEROP_BACKEND", "sim"), ("ASCEND_SIM_LIBRARY", "/custom/libascend_sim.so")), App, loader));

        Assert.Equal(["/custom/libascend_sim.so"], loader.Attempts);
        Assert.Contains("ASCEND_SIM_LIBRARY", e.Message);
        Assert.Contains("/custom/libascend_sim.so: file not found", e.Message);
        Assert.Single(e.Probes);
    }

    [Fact]
    public void Sim_Missing_ListsEveryPathAndWhatToDo()
    {
        var loader = new FakeLibraryLoader();

        var e = Assert.Throws<NativeLibraryNotFoundException>(
            () => NativeLibraryResolver.Resolve(Env(("ASCEND_INTEROP_BACKEND", "sim")), App, loader));

        Assert.Contains("ASCEND_INTEROP_BACKEND=sim", e.Message);
        Assert.Contains(App + "/libascend_sim.so: file not found", e.Message);
        Assert.Contains(App + "/runtimes/linux-x64/native/libascend_sim.so: file not found", e.Message);
        Assert.Contains("libascend_sim.so: file not found", e.Message);
        Assert.Contains("Ascend.Interop.Simulator", e.Message);
        Assert.Contains("ASCEND_SIM_LIBRARY=", e.Message);
        Assert.Equal(3, e.Probes.Count);
        Assert.IsAssignableFrom<DllNotFoundException>(e);
    }

    [Fact]
    public void Auto_NothingInstalled_MessageNamesBothWaysOut()
    {
        var e = Assert.Throws<NativeLibraryNotFoundException>(
            () => NativeLibraryResolver.Resolve(Env(), App, new FakeLibraryLoader()));

        Assert.Contains("neither CANN", e.Message);
        Assert.Contains(DefaultToolkit + "/libascendcl.so: file not found", e.Message);
        Assert.Contains(DefaultCann + "/libascendcl.so: file not found", e.Message);
        Assert.Contains(App + "/libascend_sim.so: file not found", e.Message);
        Assert.Contains("set_env.sh", e.Message);
        Assert.Contains("ASCEND_INTEROP_BACKEND=sim", e.Message);
        Assert.Equal(6, e.Probes.Count);
    }

    [Fact]
    public void Cann_Missing_Throws_WithCannFoldersAndAdvice_AndDoesNotTryTheSimulator()
    {
        var loader = SimulatorBesideApp();

        var e = Assert.Throws<NativeLibraryNotFoundException>(() => NativeLibraryResolver.Resolve(
            Env(("ASCEND_INTEROP_BACKEND", "cann"), ("ASCEND_TOOLKIT_HOME", "/opt/a"), ("ASCEND_HOME_PATH", "/opt/b")), App, loader));

        Assert.Equal(
            ["/opt/a/lib64/libascendcl.so", "/opt/b/lib64/libascendcl.so", DefaultToolkit + "/libascendcl.so",
             DefaultCann + "/libascendcl.so", "libascendcl.so"],
            loader.Attempts);
        Assert.Contains("ASCEND_INTEROP_BACKEND=cann", e.Message);
        Assert.Contains("/opt/a/lib64/libascendcl.so: file not found", e.Message);
        Assert.Contains("source /usr/local/Ascend/ascend-toolkit/set_env.sh", e.Message);
        Assert.Contains("ASCEND_INTEROP_BACKEND=sim", e.Message);
    }

    [Fact]
    public void CannFolders_SkipUnsetAndDuplicateVariables()
    {
        List<string> dirs = NativeLibraryResolver.CannLibraryDirectories(
            Env(("ASCEND_TOOLKIT_HOME", "/usr/local/Ascend/ascend-toolkit/latest"), ("ASCEND_HOME_PATH", "/usr/local/Ascend/ascend-toolkit/latest")));

        Assert.Equal([DefaultToolkit, DefaultCann], dirs);
    }

    [Fact]
    public void Cann9_SplitOperatorLibraries_AreAllLoaded_AndEachOperatorIsFoundInItsOwn()
    {
        const string Lib = "/opt/cann/lib64/";
        var loader = SimulatorBesideApp()
            .Add(Lib + "libascendcl.so", "aclInit")
            .Add(Lib + "libnnopbase.so", "aclCreateTensor")
            .Add(Lib + "libopapi_math.so", "aclnnAdd", "aclnnAddGetWorkspaceSize")
            .Add(Lib + "libopapi_nn.so", "aclnnRelu", "aclnnReluGetWorkspaceSize");

        NativeLibrarySet set = NativeLibraryResolver.Resolve(Env(("ASCEND_TOOLKIT_HOME", "/opt/cann")), App, loader);

        Assert.Equal(NativeBackend.Cann, set.Backend);
        Assert.Equal([loader.HandleOf(Lib + "libopapi_math.so"), loader.HandleOf(Lib + "libopapi_nn.so")], set.GetHandles("opapi"));
        Assert.Equal([loader.HandleOf(Lib + "libnnopbase.so")], set.GetHandles("nnopbase"));
        Assert.True(loader.TryGetExport(loader.HandleOf(Lib + "libopapi_nn.so"), "aclnnRelu", out nint relu));
        Assert.Equal(relu, set.GetExport("opapi", "aclnnRelu", loader));
        Assert.True(loader.TryGetExport(loader.HandleOf(Lib + "libopapi_math.so"), "aclnnAdd", out nint add));
        Assert.Equal(add, set.GetExport("opapi", "aclnnAdd", loader));
        Assert.Equal([Lib + "libascendcl.so", Lib + "libnnopbase.so", Lib + "libopapi_math.so", Lib + "libopapi_nn.so"], set.LoadedLibraries);
        // The simulator beside the app is never touched once CANN is found.
        Assert.DoesNotContain(App + "/libascend_sim.so", loader.Attempts);
        // libnnopbase.so is looked for first beside libascendcl.so.
        Assert.Equal(Lib + "libnnopbase.so", loader.Attempts[1]);
    }

    [Fact]
    public void Cann_OperatorMissingFromEveryLibrary_NamesTheLibrariesSearched()
    {
        const string Lib = "/opt/cann/lib64/";
        var loader = new FakeLibraryLoader()
            .Add(Lib + "libascendcl.so").Add(Lib + "libnnopbase.so").Add(Lib + "libopapi_math.so", "aclnnAdd");
        NativeLibrarySet set = NativeLibraryResolver.Resolve(Env(("ASCEND_INTEROP_BACKEND", "cann"), ("ASCEND_TOOLKIT_HOME", "/opt/cann")), App, loader);

        var e = Assert.Throws<EntryPointNotFoundException>(() => set.GetExport("opapi", "aclnnSoftmax", loader));

        Assert.Contains("'aclnnSoftmax'", e.Message);
        Assert.Contains(Lib + "libopapi_math.so", e.Message);
        Assert.Contains("libopapi_nn.so", e.Message);
    }

    [Fact]
    public void Cann8_SingleOperatorLibrary()
    {
        const string Lib = "/usr/local/Ascend/ascend-toolkit/latest/lib64/";
        var loader = new FakeLibraryLoader().Add(Lib + "libascendcl.so").Add(Lib + "libnnopbase.so").Add(Lib + "libopapi.so", "aclnnMm");

        NativeLibrarySet set = NativeLibraryResolver.Resolve(Env(), App, loader);

        Assert.Equal(NativeBackend.Cann, set.Backend);
        Assert.Equal([loader.HandleOf(Lib + "libopapi.so")], set.GetHandles("opapi"));
        Assert.NotEqual(0, set.GetExport("opapi", "aclnnMm", loader));
    }

    [Fact]
    public void Cann_WithoutOperatorLibraries_FailsOnlyWhenAnOperatorIsUsed()
    {
        const string Lib = "/opt/cann/lib64/";
        var loader = new FakeLibraryLoader().Add(Lib + "libascendcl.so").Add(Lib + "libnnopbase.so");

        NativeLibrarySet set = NativeLibraryResolver.Resolve(Env(("ASCEND_TOOLKIT_HOME", "/opt/cann")), App, loader);

        Assert.Equal(NativeBackend.Cann, set.Backend);
        Assert.NotEmpty(set.GetHandles("ascendcl"));
        var e = Assert.Throws<NativeLibraryNotFoundException>(() => set.GetHandles("opapi"));
        Assert.Contains("no aclnn operator library", e.Message);
        Assert.Contains(Lib + "libopapi_transformer.so: file not found", e.Message);
        Assert.Contains("libopapi_cv.so: file not found", e.Message);
    }

    [Fact]
    public void Cann_SimulatorControls_AreNotAvailable()
    {
        const string Lib = "/opt/cann/lib64/";
        var loader = SimulatorBesideApp().Add(Lib + "libascendcl.so").Add(Lib + "libnnopbase.so").Add(Lib + "libopapi.so");

        NativeLibrarySet set = NativeLibraryResolver.Resolve(Env(("ASCEND_TOOLKIT_HOME", "/opt/cann")), App, loader);

        var e = Assert.Throws<NativeLibraryNotFoundException>(() => set.GetHandles("ascend_sim"));
        Assert.Contains("simulator controls", e.Message);
        Assert.Contains("ASCEND_INTEROP_BACKEND=sim", e.Message);
    }

    [Fact]
    public void RealLoader_ReportsMissingFiles_AndLoadsTheShippedSimulator()
    {
        Assert.False(NativeLibraryLoader.Instance.TryLoad("/nonexistent/libascendcl.so", out _, out string error));
        Assert.Equal("file not found", error);
        Assert.False(NativeLibraryLoader.Instance.TryLoad("libascend_interop_no_such_library.so", out _, out error));
        Assert.Equal("libascend_interop_no_such_library.so: cannot open shared object file: No such file or directory", error);

        NativeLibrarySet set = NativeLibraryResolver.Resolve(
            Env(("ASCEND_INTEROP_BACKEND", "sim")), AppContext.BaseDirectory, NativeLibraryLoader.Instance);

        Assert.Equal(NativeBackend.Simulator, set.Backend);
        Assert.Equal([Path.Combine(AppContext.BaseDirectory, "libascend_sim.so")], set.LoadedLibraries);
        Assert.NotEqual(0, set.GetExport("opapi", "aclnnAdd", NativeLibraryLoader.Instance));
    }
}
