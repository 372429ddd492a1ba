namespace Ascend.Interop.Native.Tests;

/// <summary>
/// The simulator's HCCL library (libascend_sim_hccl.so, which needs Gloo) resolves behind the logical "hccl" library at
/// the first HCCL call, apart from libascend_sim.so: its absence fails only HCCL, naming the library and the package.
/// </summary>
public sealed class SimulatorHcclResolutionTests
{
    private const string App = "/app";
    private const string Hccl = "libascend_sim_hccl.so";

    private static Func<string, string?> Env(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        map.TryAdd("ASCEND_INTEROP_BACKEND", "sim");
        return name => map.TryGetValue(name, out string? value) ? value : null;
    }

    [Fact]
    public void LoadsAtFirstUse_FromTheSimulatorsFolder()
    {
        var loader = new FakeLibraryLoader().Add("/opt/sim/libascend_sim.so").Add("/opt/sim/" + Hccl, "HcclAllReduce");
        NativeLibrarySet set = NativeLibraryResolver.Resolve(Env(("ASCEND_SIM_LIBRARY", "/opt/sim/libascend_sim.so")), App, loader);
        Assert.Equal(["/opt/sim/libascend_sim.so"], loader.Attempts);

        Assert.Equal([loader.HandleOf("/opt/sim/" + Hccl)], set.GetHandles("hccl"));
        Assert.NotEqual(0, set.GetExport("hccl", "HcclAllReduce", loader));

        Assert.Equal(["/opt/sim/libascend_sim.so", "/opt/sim/" + Hccl], loader.Attempts);
        Assert.Equal(["/opt/sim/libascend_sim.so", "/opt/sim/" + Hccl], set.LoadedLibraries);
        Assert.Equal("hccl", set.Probes[^1].LogicalLibrary);
    }

    [Fact]
    public void FallsBackToTheApplicationFolders_ThenTheOsSearch()
    {
        var loader = new FakeLibraryLoader().Add("/opt/sim/libascend_sim.so").Add(Hccl);
        NativeLibrarySet set = NativeLibraryResolver.Resolve(Env(("ASCEND_SIM_LIBRARY", "/opt/sim/libascend_sim.so")), App, loader);

        Assert.Equal([loader.HandleOf(Hccl)], set.GetHandles("hccl"));
        Assert.Equal(
            ["/opt/sim/libascend_sim.so", "/opt/sim/" + Hccl, App + "/" + Hccl, App + "/runtimes/linux-x64/native/" + Hccl, Hccl],
            loader.Attempts);
    }

    [Fact]
    public void HcclLibraryVariable_IsTheOnlyPathTried_AndAMissingFileFailsOnlyHccl()
    {
        var loader = new FakeLibraryLoader().Add(App + "/libascend_sim.so", "aclInit").Add(App + "/" + Hccl);
        NativeLibrarySet set = NativeLibraryResolver.Resolve(Env(("ASCEND_SIM_HCCL_LIBRARY", "/nowhere/" + Hccl)), App, loader);

        var e = Assert.Throws<NativeLibraryNotFoundException>(() => set.GetHandles("hccl"));
        Assert.Contains("ASCEND_SIM_HCCL_LIBRARY", e.Message);
        Assert.Contains("/nowhere/" + Hccl + ": file not found", e.Message);
        Assert.Contains("libgloo-dev", e.Message);
        Assert.Contains("Ascend.Interop.Simulator", e.Message);
        Assert.Equal([App + "/libascend_sim.so", "/nowhere/" + Hccl], loader.Attempts);
        // The failure is kept: a second use does not probe again, and the rest of the simulator works.
        Assert.Throws<NativeLibraryNotFoundException>(() => set.GetHandles("hccl"));
        Assert.Equal(2, loader.Attempts.Count);
        Assert.NotEqual(0, set.GetExport("ascendcl", "aclInit", loader));
    }

    [Fact]
    public void NotBuilt_SaysWhereItShipsAndHowToBuildIt()
    {
        var loader = new FakeLibraryLoader().Add(App + "/libascend_sim.so");
        NativeLibrarySet set = NativeLibraryResolver.Resolve(Env(), App, loader);

        var e = Assert.Throws<NativeLibraryNotFoundException>(() => set.GetHandles("hccl"));

        Assert.Contains($"The simulator's HCCL library {Hccl} (the Hccl* collective functions) was not found", e.Message);
        Assert.Contains(App + "/" + Hccl + ": file not found", e.Message);
        Assert.Contains("apt-get install libgloo-dev", e.Message);
        Assert.Equal(4, e.Probes.Count); // the simulator, then the three HCCL candidates (the app folder once)
    }

    [Theory]
    [InlineData("libgloo.so.0", "libgloo0")]
    [InlineData("libibverbs.so.1", "libibverbs1")]
    [InlineData("libhiredis.so.0.14", "libhiredis0.14")]
    public void AMissingDependency_IsNamedWithItsPackage(string library, string package)
    {
        var loader = new FakeLibraryLoader().Add(App + "/libascend_sim.so")
            .AddBroken(App + "/" + Hccl, $"{library}: cannot open shared object file: No such file or directory");
        NativeLibrarySet set = NativeLibraryResolver.Resolve(Env(), App, loader);

        var e = Assert.Throws<NativeLibraryNotFoundException>(() => set.GetHandles("hccl"));

        Assert.Contains($"{App}/{Hccl} (the Hccl* collective functions) was found but could not be loaded: {library} is missing", e.Message);
        Assert.Contains($"apt-get install {package}", e.Message);
        Assert.Contains("Gloo", e.Message);
    }

    [Fact]
    public void RealLoader_NotFoundOnTheOsSearch_IsNotTakenForAMissingDependency()
    {
        string missing = "libascend_interop_no_such_hccl.so";
        NativeLibrarySet set = NativeLibraryResolver.Resolve(Env(("ASCEND_SIM_HCCL_LIBRARY", missing)), AppContext.BaseDirectory, NativeLibraryLoader.Instance);

        var e = Assert.Throws<NativeLibraryNotFoundException>(() => set.GetHandles("hccl"));

        Assert.Contains($"{missing}: {missing}: cannot open shared object file", e.Message);
        Assert.Contains("could not be loaded", e.Message);
        Assert.DoesNotContain("depends on", e.Message);
    }

    [Fact]
    public void RealLoader_LoadsTheBuiltHcclLibraryBesideTheSimulator()
    {
        NativeLibrarySet set = NativeLibraryResolver.Resolve(Env(), AppContext.BaseDirectory, NativeLibraryLoader.Instance);

        Assert.NotEqual(0, set.GetExport("hccl", "HcclAllReduce", NativeLibraryLoader.Instance));
        Assert.Equal(
            [Path.Combine(AppContext.BaseDirectory, "libascend_sim.so"), Path.Combine(AppContext.BaseDirectory, Hccl)],
            set.LoadedLibraries);
    }
}
