using System.Diagnostics;
using System.Text;
using System.Text.Json;
using static Ascend.Interop.Packaging.Tests.PackageLayout;

namespace Ascend.Interop.Packaging.Tests;

/// <summary>
/// A temporary folder for the consumer projects: its own nuget.config (the local package folder added to the machine's
/// configured sources) and its own NUGET_PACKAGES, so no cached copy of an earlier package can stand in for the new one.
/// </summary>
public sealed class ConsumerFeed : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("ascend-package-test-").FullName;
    public string GlobalPackages => Path.Combine(Root, "nuget-packages");

    public ConsumerFeed()
    {
        // No <clear/>: the machine's own sources (nuget.org as served here) stay for the third-party dependencies.
        File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="ascend-local" value="{PackagesDirectory}" />
              </packageSources>
            </configuration>
            """);
        // Stop MSBuild's upward search for Directory.Build.* / Directory.Packages.props at this folder.
        File.WriteAllText(Path.Combine(Root, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(Root, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(Root, "Directory.Packages.props"), "<Project />\n");
    }

    public string NewProject(string name, string packageReferences, string extraProperties = "")
    {
        string dir = Path.Combine(Root, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                {extraProperties}
              </PropertyGroup>
              <ItemGroup>
            {packageReferences}
              </ItemGroup>
            </Project>
            """);
        return dir;
    }

    public static string Reference(string id) => $"""    <PackageReference Include="{id}" Version="[{VersionOf(id)}]" />""";

    /// <summary>Runs a command with a clean MSBuild environment, the isolated package folder and no shared build servers.</summary>
    public (int ExitCode, string Output) Run(string fileName, string arguments, string workingDirectory, TimeSpan timeout,
        IDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The test host runs under dotnet test: do not hand its MSBuild settings to the child builds.
        foreach (string key in start.Environment.Keys.ToArray())
        {
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || key.StartsWith("_MSBuild", StringComparison.OrdinalIgnoreCase)
                || key is "DOTNET_HOST_PATH" or "VSTEST_HOST_DEBUG" or "NUGET_PACKAGES" or "ASCEND_SIM_LIBRARY")
                start.Environment.Remove(key);
        }
        start.Environment["NUGET_PACKAGES"] = GlobalPackages;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["UseSharedCompilation"] = "false";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
            start.Environment[key] = value;

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var gate = new object();
        process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (gate) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (gate) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"'{fileName} {arguments}' did not finish in {timeout.TotalSeconds} s. Output:\n{output}");
        }
        process.WaitForExit();
        lock (gate) return (process.ExitCode, output.ToString());
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Fresh console projects restore the packages from the local folder and run a capture + replay.</summary>
public sealed class ConsumerTests(ConsumerFeed feed) : IClassFixture<ConsumerFeed>
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(6);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(1);

    private static string ConsumerProgram => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Consumer", "Program.cs.txt"));

    // The packages' point is the simulator pickup: with a CANN install on the machine, auto would choose CANN.
    private static Dictionary<string, string?> RunEnvironment =>
        new() { ["ASCEND_INTEROP_BACKEND"] = Directory.Exists("/usr/local/Ascend") || Environment.GetEnvironmentVariable("ASCEND_HOME_PATH") != null ? "sim" : null };

    [Fact]
    public void Portable_app_restores_from_the_local_feed_and_replays_on_the_packaged_simulator()
    {
        string dir = feed.NewProject("PortableConsumer", ConsumerFeed.Reference("Ascend.Interop") + "\n" + ConsumerFeed.Reference("Ascend.Interop.Simulator"));
        File.WriteAllText(Path.Combine(dir, "Program.cs"), ConsumerProgram);

        var build = feed.Run("dotnet", "build -c Release", dir, BuildTimeout);
        Assert.True(build.ExitCode == 0, "restore/build failed:\n" + build.Output);
        AssertRestoredFromLocalFeed("Ascend.Interop");
        AssertRestoredFromLocalFeed("Ascend.Interop.Simulator");

        string output = Path.Combine(dir, "bin", "Release", "net10.0");
        Assert.True(File.Exists(Path.Combine(output, "Ascend.Interop.Native.dll")), "the bindings assembly is not in the output");
        string library = Path.Combine(output, "runtimes", "linux-x64", "native", "libascend_sim.so");
        Assert.True(File.Exists(library), $"{library} is missing: the runtime asset was not copied");
        Assert.True(File.Exists(Path.Combine(output, "runtimes", "linux-x64", "native", "libascend_sim_hccl.so")), "the simulator's HCCL library was not copied");

        // Run from another folder: the resolver must find the library through the app's base directory.
        var run = feed.Run("dotnet", $"\"{Path.Combine(output, "PortableConsumer.dll")}\" portable", feed.Root, RunTimeout, RunEnvironment);
        Assert.True(run.ExitCode == 0, "the consumer failed:\n" + run.Output);
        Assert.Contains("portable: check=ok backend=Simulator operations=2 replays=2", run.Output);
        Assert.Contains($"portable: libraries={library}", run.Output);
    }

    [Fact]
    public void Rid_specific_publish_puts_the_simulator_beside_the_app_and_replays()
    {
        string dir = feed.NewProject("RidConsumer", ConsumerFeed.Reference("Ascend.Interop") + "\n" + ConsumerFeed.Reference("Ascend.Interop.Simulator"),
            "<RuntimeIdentifier>linux-x64</RuntimeIdentifier><SelfContained>false</SelfContained><InvariantGlobalization>true</InvariantGlobalization>");
        File.WriteAllText(Path.Combine(dir, "Program.cs"), ConsumerProgram);
        string publish = Path.Combine(dir, "publish");

        var build = feed.Run("dotnet", $"publish -c Release -o \"{publish}\"", dir, BuildTimeout);
        Assert.True(build.ExitCode == 0, "restore/publish failed:\n" + build.Output);
        string library = Path.Combine(publish, "libascend_sim.so");
        Assert.True(File.Exists(library), $"{library} is missing: the RID-specific asset was not published beside the app");
        Assert.True(File.Exists(Path.Combine(publish, "libascend_sim_hccl.so")), "the simulator's HCCL library was not published beside the app");

        var run = feed.Run(Path.Combine(publish, "RidConsumer"), "rid", feed.Root, RunTimeout, RunEnvironment);
        Assert.True(run.ExitCode == 0, "the consumer failed:\n" + run.Output);
        Assert.Contains("rid: check=ok backend=Simulator operations=2 replays=2", run.Output);
        Assert.Contains($"rid: libraries={library}", run.Output);
    }

    [Fact]
    public void Tensor_copies_and_async_completion_work_from_the_packages()
    {
        // System.Numerics.Tensors copies (strided source and destination), SynchronizeAsync and ReplayAsync, compiled
        // against the restored packages (System.Numerics.Tensors arrives as Ascend.Interop's dependency) and run.
        string dir = feed.NewProject("AsyncConsumer", ConsumerFeed.Reference("Ascend.Interop") + "\n" + ConsumerFeed.Reference("Ascend.Interop.Simulator"));
        File.WriteAllText(Path.Combine(dir, "Program.cs"), """
            using System.Numerics.Tensors;
            using Ascend.Interop;

            using var runtime = NpuRuntime.Initialize();
            using var device = NpuDevice.Open(0);
            using var stream = device.CreateStream();

            // A 2x3 slice of a 4x6 host tensor (not dense) becomes the static input.
            var big = Tensor.Create(Enumerable.Range(0, 24).Select(i => (float)(i - 12)).ToArray(), [4, 6]);
            using var x = NpuTensor.FromTensor(stream, big.AsReadOnlyTensorSpan()[1..3, 2..5]);
            using var y = NpuTensor.Empty(stream, [2, 3], NpuDataType.Float32);
            await stream.SynchronizeAsync();

            using var graph = stream.BeginCapture();
            using (var sum = Ops.Add(stream, x, x)) Ops.Relu(stream, sum, y);
            graph.EndCapture();

            await graph.ReplayAsync();
            float[] expected = [0, 0, 0, 4, 6, 8];                     // relu(2 * [-4, -3, -2, 2, 3, 4])
            bool ok = y.ToTensor<float>(stream).ToArray().SequenceEqual(expected);

            x.CopyFrom(stream, Tensor.Create(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]));
            await graph.ReplayAsync(stream, CancellationToken.None);
            var strided = Tensor.Create(new float[12], [2, 6]);
            y.CopyTo(stream, strided.AsTensorSpan()[.., 1..4]);          // into a strided destination
            ok &= strided.ToArray().SequenceEqual(new float[] { 0, 2, 4, 6, 0, 0, 0, 8, 10, 12, 0, 0 });

            using var cts = new CancellationTokenSource();
            cts.Cancel();
            bool canceled = stream.SynchronizeAsync(cts.Token).IsCanceled;
            Console.WriteLine($"async: check={(ok && canceled ? "ok" : "FAILED")} replays={graph.ReplayCount} pinned={y.ToTensor<float>(stream, pinned: true).IsPinned}");
            return ok && canceled ? 0 : 1;
            """);
        var build = feed.Run("dotnet", "build -c Release", dir, BuildTimeout);
        Assert.True(build.ExitCode == 0, "restore/build failed:\n" + build.Output);
        AssertRestoredFromLocalFeed("Ascend.Interop");
        string output = Path.Combine(dir, "bin", "Release", "net10.0");
        Assert.True(File.Exists(Path.Combine(output, "System.Numerics.Tensors.dll")), "System.Numerics.Tensors did not come with the Ascend.Interop package");

        var run = feed.Run("dotnet", $"\"{Path.Combine(output, "AsyncConsumer.dll")}\"", feed.Root, RunTimeout, RunEnvironment);
        Assert.True(run.ExitCode == 0, "the consumer failed:\n" + run.Output);
        Assert.Contains("async: check=ok replays=2 pinned=True", run.Output);
    }

    [Fact]
    public void TorchSharp_bridge_restores_with_its_dependencies_and_compiles_against_them()
    {
        // Built, not run: running TorchSharp needs a libtorch package and libstdc++ from GCC 13 (docs/torchsharp.md).
        string dir = feed.NewProject("TorchConsumer", ConsumerFeed.Reference("Ascend.Interop.TorchSharp"));
        File.WriteAllText(Path.Combine(dir, "Program.cs"), """
            using Ascend.Interop;
            using Ascend.Interop.TorchSharp;

            Func<TorchSharp.torch.Tensor, NpuStream, NpuTensor> upload = TorchBridge.ToNpu;
            Console.WriteLine(upload.Method.DeclaringType!.Assembly.GetName().Name);
            """);
        var build = feed.Run("dotnet", "build -c Release", dir, BuildTimeout);
        Assert.True(build.ExitCode == 0, "restore/build failed:\n" + build.Output);
        AssertRestoredFromLocalFeed("Ascend.Interop.TorchSharp");
        string output = Path.Combine(dir, "bin", "Release", "net10.0");
        foreach (string assembly in new[] { "Ascend.Interop.TorchSharp.dll", "Ascend.Interop.dll", "Ascend.Interop.Native.dll", "TorchSharp.dll" })
            Assert.True(File.Exists(Path.Combine(output, assembly)), $"{assembly} is not in the output");
    }

    private void AssertRestoredFromLocalFeed(string id)
    {
        string metadata = Path.Combine(feed.GlobalPackages, id.ToLowerInvariant(), VersionOf(id).ToLowerInvariant(), ".nupkg.metadata");
        Assert.True(File.Exists(metadata), $"{metadata} is missing: {id} was not restored into the isolated package folder");
        using var doc = JsonDocument.Parse(File.ReadAllText(metadata));
        string source = doc.RootElement.GetProperty("source").GetString()!;
        Assert.Equal(Path.TrimEndingDirectorySeparator(PackagesDirectory), Path.TrimEndingDirectorySeparator(source));
    }
}
