using System.IO.Compression;
using System.Xml.Linq;

namespace Ascend.Interop.Packaging.Tests;

/// <summary>Finds the packages the Pack task wrote and reads their contents and nuspec.</summary>
internal static class PackageLayout
{
    public const string PackagesVariable = "ASCEND_PACKAGES_DIR";
    public static readonly string[] Shipped = ["Ascend.Interop", "Ascend.Interop.Simulator", "Ascend.Interop.TorchSharp"];

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string PackagesDirectory =>
        Environment.GetEnvironmentVariable(PackagesVariable) is { Length: > 0 } dir
            ? Path.GetFullPath(dir)
            : Path.Combine(RepoRoot, "artifacts", "packages");

    /// <summary>The one version of <paramref name="id"/> in the package folder (the Pack task empties it first).</summary>
    public static string VersionOf(string id)
    {
        Assert.True(Directory.Exists(PackagesDirectory), $"{PackagesDirectory} does not exist: run ./build.sh --target=Pack first.");
        var versions = Directory.GetFiles(PackagesDirectory, id + ".*.nupkg")
            .Select(Path.GetFileName)
            .Select(name => name![(id.Length + 1)..^".nupkg".Length])
            .Where(v => v.Length > 0 && char.IsDigit(v[0]))   // Ascend.Interop.Simulator.0.1.0 is not a version of Ascend.Interop
            .ToArray();
        Assert.True(versions.Length == 1, $"expected exactly one {id} package in {PackagesDirectory}, found: {string.Join(", ", versions)}");
        return versions[0];
    }

    public static string PackagePath(string id, string extension = ".nupkg") =>
        Path.Combine(PackagesDirectory, $"{id}.{VersionOf(id)}{extension}");

    public static string[] Entries(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        return zip.Entries.Select(e => e.FullName).Where(n => !n.StartsWith("package/", StringComparison.Ordinal) && !n.StartsWith("_rels/", StringComparison.Ordinal) && n != "[Content_Types].xml").Order(StringComparer.Ordinal).ToArray();
    }

    public static byte[] ReadEntry(string path, string entry)
    {
        using var zip = ZipFile.OpenRead(path);
        var found = zip.GetEntry(entry) ?? throw new Xunit.Sdk.XunitException($"{Path.GetFileName(path)} has no entry {entry}");
        using var stream = found.Open();
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    public static XElement Metadata(string path, string id)
    {
        var doc = XDocument.Parse(System.Text.Encoding.UTF8.GetString(ReadEntry(path, id + ".nuspec")).TrimStart('\uFEFF'));
        return doc.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    public static XElement? Child(XElement parent, string name) => parent.Elements().SingleOrDefault(e => e.Name.LocalName == name);

    public static (string Id, string Version)[] Dependencies(XElement metadata) =>
        metadata.Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => ((string)e.Attribute("id")!, (string)e.Attribute("version")!)).ToArray();

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ascend.Interop.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No Ascend.Interop.sln above {AppContext.BaseDirectory}.");
    }
}
