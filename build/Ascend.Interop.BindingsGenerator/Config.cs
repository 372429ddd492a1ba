using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ascend.Interop.BindingsGenerator;

/// <summary>native/bindgen/settings.json: what every header group shares.</summary>
internal sealed class Settings
{
    public string IncludeDirectory { get; set; } = "";
    public List<string> ClangArguments { get; set; } = [];
    public string OutputDirectory { get; set; } = "";
    public string TestOutputDirectory { get; set; } = "";
    public string TestNamespace { get; set; } = "";
    public string Namespace { get; set; } = "";
    public Dictionary<string, string> TypeMap { get; set; } = [];
    public Dictionary<string, LibrarySettings> Libraries { get; set; } = [];

    /// <summary>Operator header sets bound like an installed CANN's (--cann-include), regenerated and drift-checked with the rest.</summary>
    public List<CannInclude> CannIncludes { get; set; } = [];

    /// <summary>The typed entry points of our own operator headers, committed in the SDK and drift-checked (null: none).</summary>
    public TypedOutput? TypedOperators { get; set; }
}

/// <summary>Where the typed entry points of one header group's operators go (paths relative to the root).</summary>
internal sealed class TypedOutput
{
    /// <summary>The header group whose operators get them ("AclnnOps").</summary>
    public string Group { get; set; } = "";

    /// <summary>The typed class ("AclnnOperators", namespace Ascend.Interop).</summary>
    public string Class { get; set; } = "";

    /// <summary>The file ("src/Ascend.Interop/Ops/Generated/AclnnOperators.g.cs").</summary>
    public string Output { get; set; } = "";
}

/// <summary>One "--cann-include" run kept in the repository: include folder, output folder, class (paths relative to the root).</summary>
internal sealed class CannInclude
{
    public string Include { get; set; } = "";
    public string Output { get; set; } = "";
    public string Class { get; set; } = "";

    /// <summary>Headers per translation unit (default 24); a small one makes a small set exercise batches and their fallback.</summary>
    public int? BatchSize { get; set; }
}

internal sealed class LibrarySettings
{
    /// <summary>"LibraryImport" or "FunctionPointer" (entry point looked up at first call through NativeLibraryResolver).</summary>
    public string Binding { get; set; } = "LibraryImport";
}

/// <summary>native/bindgen/&lt;group&gt;.json: one header group, emitted as one file.</summary>
internal sealed class HeaderGroup
{
    public string Name { get; set; } = "";
    public string Class { get; set; } = "";
    public List<string> Headers { get; set; } = [];
    public List<LibraryRule> Libraries { get; set; } = [];
    public List<string> FlagEnums { get; set; } = [];
    public List<string> ExcludeMacros { get; set; } = [];

    /// <summary>
    /// Our former names kept as obsolete aliases (<c>#define OLD NEW</c> in the header): old name to CANN's name. The
    /// constant is emitted with <c>[Obsolete]</c> naming the replacement; the CANN value check accepts it as ours.
    /// </summary>
    public Dictionary<string, string> ObsoleteMacros { get; set; } = [];

    /// <summary>Whether the headers mirror CANN's, so their values are checked against CANN's (--compare-cann).</summary>
    public bool CompareValues { get; set; } = true;

    [JsonIgnore] public string ConfigFile { get; set; } = "";

    /// <summary>First rule whose pattern matches (exact name, or prefix followed by '*').</summary>
    public string? LibraryFor(string function)
    {
        foreach (LibraryRule rule in Libraries)
        {
            bool match = rule.Match.EndsWith('*')
                ? function.StartsWith(rule.Match[..^1], StringComparison.Ordinal)
                : function == rule.Match;
            if (match)
            {
                return rule.Library;
            }
        }
        return null;
    }
}

internal sealed class LibraryRule
{
    public string Match { get; set; } = "";
    public string Library { get; set; } = "";
}

internal static class ConfigLoader
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    public static (Settings, List<HeaderGroup>) Load(string root)
    {
        string bindgenDirectory = Path.Combine(root, "native", "bindgen");
        string settingsPath = Path.Combine(bindgenDirectory, "settings.json");
        if (!File.Exists(settingsPath))
        {
            throw new GeneratorException($"missing {settingsPath}");
        }
        Settings settings = Read<Settings>(settingsPath);
        var groups = new List<HeaderGroup>();
        foreach (string file in Directory.GetFiles(bindgenDirectory, "*.json").Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(file) == "settings.json")
            {
                continue;
            }
            HeaderGroup group = Read<HeaderGroup>(file);
            group.ConfigFile = Path.GetFileName(file);
            if (group.Name.Length == 0 || group.Class.Length == 0 || group.Headers.Count == 0)
            {
                throw new GeneratorException($"{group.ConfigFile}: 'name', 'class' and 'headers' are required");
            }
            foreach (LibraryRule rule in group.Libraries)
            {
                if (!settings.Libraries.ContainsKey(rule.Library))
                {
                    throw new GeneratorException($"{group.ConfigFile}: library '{rule.Library}' is not declared in settings.json 'libraries'");
                }
            }
            group.Headers = ExpandHeaders(group, settings, root);
            groups.Add(group);
        }
        return (settings, groups);
    }

    /// <summary>
    /// A header entry holding '*' in its file name (e.g. "aclnnop/*.h") stands for every matching file of that
    /// folder under the include directory, in ordinal order, so adding a header needs no configuration edit.
    /// </summary>
    private static List<string> ExpandHeaders(HeaderGroup group, Settings settings, string root)
    {
        var headers = new List<string>();
        foreach (string entry in group.Headers)
        {
            int slash = entry.LastIndexOf('/');
            string folder = slash < 0 ? "" : entry[..slash];
            string pattern = entry[(slash + 1)..];
            if (!pattern.Contains('*'))
            {
                headers.Add(entry);
                continue;
            }
            if (folder.Contains('*'))
            {
                throw new GeneratorException($"{group.ConfigFile}: '{entry}': only the file name may hold '*'");
            }
            string directory = Path.Combine(root, settings.IncludeDirectory, folder);
            var matches = Directory.Exists(directory)
                ? Directory.GetFiles(directory, pattern).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()
                : [];
            if (matches.Count == 0)
            {
                throw new GeneratorException($"{group.ConfigFile}: '{entry}' matches no header in {settings.IncludeDirectory}");
            }
            headers.AddRange(matches.Select(m => folder.Length == 0 ? m! : folder + "/" + m));
        }
        return headers;
    }

    private static T Read<T>(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options)
                ?? throw new GeneratorException($"{path}: empty configuration");
        }
        catch (JsonException e)
        {
            throw new GeneratorException($"{path}: {e.Message}");
        }
    }
}

internal sealed class GeneratorException(string message) : Exception(message);
