using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using static Ascend.Interop.Packaging.Tests.PackageLayout;

namespace Ascend.Interop.Packaging.Tests;

/// <summary>What each package holds: assemblies, XML docs, readme, license, dependencies, symbols, native asset.</summary>
public sealed class PackageContentTests
{
    [Fact]
    public void Ascend_Interop_holds_the_safe_layer_and_the_bindings_with_docs_and_no_bindings_dependency()
    {
        string package = PackagePath("Ascend.Interop");
        Assert.Equal(
            ["Ascend.Interop.nuspec", "README.md", "lib/net10.0/Ascend.Interop.Native.dll", "lib/net10.0/Ascend.Interop.Native.xml",
             "lib/net10.0/Ascend.Interop.dll", "lib/net10.0/Ascend.Interop.xml"],
            Entries(package));
        var dependencies = Dependencies(Metadata(package, "Ascend.Interop"));
        Assert.Equal(["Microsoft.Extensions.Logging.Abstractions", "System.Numerics.Tensors"], dependencies.Select(d => d.Id).Order(StringComparer.Ordinal).ToArray());
        Assert.Contains("NpuGraph", System.Text.Encoding.UTF8.GetString(ReadEntry(package, "lib/net10.0/Ascend.Interop.xml")));
    }

    [Theory]
    [InlineData("Ascend.Interop")]
    [InlineData("Ascend.Interop.Simulator")]
    [InlineData("Ascend.Interop.TorchSharp")]
    public void Every_package_has_license_readme_description_and_authors(string id)
    {
        var metadata = Metadata(PackagePath(id), id);
        var license = Child(metadata, "license");
        Assert.NotNull(license);
        Assert.Equal("expression", (string?)license!.Attribute("type"));
        Assert.Equal("MIT", license.Value);
        Assert.Equal("README.md", Child(metadata, "readme")?.Value);
        Assert.Equal("Ascend.Interop contributors", Child(metadata, "authors")?.Value);
        Assert.False(string.IsNullOrWhiteSpace(Child(metadata, "description")?.Value));
        Assert.Equal(VersionOf(id), Child(metadata, "version")?.Value);
        string readme = System.Text.Encoding.UTF8.GetString(ReadEntry(PackagePath(id), "README.md"));
        Assert.StartsWith("# " + id + "\n", readme.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("Ascend.Interop", new[] { "Ascend.Interop", "Ascend.Interop.Native" })]
    [InlineData("Ascend.Interop.Simulator", new[] { "Ascend.Interop.Simulator" })]
    [InlineData("Ascend.Interop.TorchSharp", new[] { "Ascend.Interop.TorchSharp" })]
    public void Every_assembly_is_deterministic_with_a_mapped_pdb_path_and_its_pdb_in_the_symbols_package(string id, string[] assemblies)
    {
        string symbols = PackagePath(id, ".snupkg");
        Assert.True(File.Exists(symbols), $"{symbols} is missing");
        string[] symbolEntries = Entries(symbols);
        foreach (string assembly in assemblies)
        {
            byte[] dll = ReadEntry(PackagePath(id), $"lib/net10.0/{assembly}.dll");
            using var pe = new PEReader(new MemoryStream(dll));
            var debug = pe.ReadDebugDirectory();
            // A deterministic compilation writes a Reproducible entry (and a content-derived timestamp).
            Assert.Contains(debug, e => e.Type == DebugDirectoryEntryType.Reproducible);
            var codeView = pe.ReadCodeViewDebugDirectoryData(debug.First(e => e.Type == DebugDirectoryEntryType.CodeView));
            Assert.StartsWith("/_/", codeView.Path);   // ContinuousIntegrationBuild: no machine path in the binary
            Assert.Contains($"lib/net10.0/{assembly}.pdb", symbolEntries);

            byte[] pdb = ReadEntry(symbols, $"lib/net10.0/{assembly}.pdb");
            using var provider = MetadataReaderProvider.FromPortablePdbImage(System.Collections.Immutable.ImmutableArray.Create(pdb));
            var reader = provider.GetMetadataReader();
            Assert.NotEmpty(reader.Documents);
            var pdbId = new BlobContentId(reader.DebugMetadataHeader!.Id);
            Assert.Equal(codeView.Guid, pdbId.Guid);   // the symbols match the shipped binary
        }
    }

    [Theory]
    [InlineData("libascend_sim.so")]
    [InlineData("libascend_sim_hccl.so")]   // the simulator's HCCL (needs Gloo), loaded at the first HCCL call
    public void Simulator_package_carries_the_linux_x64_native_libraries(string file)
    {
        string package = PackagePath("Ascend.Interop.Simulator");
        Assert.Contains($"runtimes/linux-x64/native/{file}", Entries(package));
        byte[] library = ReadEntry(package, $"runtimes/linux-x64/native/{file}");
        Assert.True(library.Length > 64 * 1024, $"{file} is only {library.Length} bytes");
        Assert.Equal(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F', 2 /* 64-bit */ }, library[..5]);
        Assert.Equal(0x3E, BitConverter.ToUInt16(library, 18));   // e_machine: x86-64
        Assert.Empty(Dependencies(Metadata(package, "Ascend.Interop.Simulator")));
    }

    [Fact]
    public void TorchSharp_bridge_depends_on_the_same_Ascend_Interop_version_and_on_TorchSharp()
    {
        string package = PackagePath("Ascend.Interop.TorchSharp");
        Assert.Contains("lib/net10.0/Ascend.Interop.TorchSharp.dll", Entries(package));
        Assert.Contains("lib/net10.0/Ascend.Interop.TorchSharp.xml", Entries(package));
        var dependencies = Dependencies(Metadata(package, "Ascend.Interop.TorchSharp")).ToDictionary(d => d.Id, d => d.Version);
        Assert.Equal(VersionOf("Ascend.Interop"), dependencies["Ascend.Interop"]);
        Assert.True(dependencies.ContainsKey("TorchSharp"));
        Assert.DoesNotContain("Ascend.Interop.Native", dependencies.Keys);
    }
}
