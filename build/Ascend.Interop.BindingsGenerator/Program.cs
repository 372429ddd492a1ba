using System.Text;
using Ascend.Interop.BindingsGenerator;

// Regenerates the raw bindings (bindings/Ascend.Interop.Native/Generated) and their layout tests
// (tests/Ascend.Interop.Native.Tests/Generated) from native/include, configured by native/bindgen/*.json,
// and the bindings of each operator header set in settings.json "cannIncludes" (the synthetic CANN of the tests).
//   (no arguments)          regenerate in place
//   --check                 regenerate into a temporary folder and fail (exit 1) if the committed files differ
//   --root <dir>            repository root (default: found by walking up from the current folder)
//   --cann-include <dir>    instead: bind every <dir>/aclnnop/*.h of an installed CANN (e.g.
//                           /usr/local/Ascend/ascend-toolkit/latest/include) into one class
//   --output <dir>          with --cann-include: output folder (default bindings/Ascend.Interop.Native.Cann/Generated)
//   --class <name>          with --cann-include: class name (default CannOps)
//   --typed-class <name>    with --cann-include: the typed entry points' class (default: the class name with "Ops"
//                           replaced by "Operators", CannOperators), written beside it
//   --verbose               with --cann-include: every error of each skipped header (the summary shows the first)
//   --compare-cann <dir>    instead: check the enum values and macros of our headers against a CANN include folder
//                           (repeatable, one per version); --check does it for every .cann/<version>/include present
//   --isolated              with --cann-include: one translation unit per header (slower; the default parses batches
//                           and re-parses a batch with an error header by header: the output is the same)
bool check = false;
bool verbose = false;
bool isolated = false;
var compareCann = new List<string>();
string? root = null;
string? cannInclude = null;
string? output = null;
string className = "CannOps";
string? typedClass = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--check":
            check = true;
            break;
        case "--verbose":
            verbose = true;
            break;
        case "--isolated":
            isolated = true;
            break;
        case "--compare-cann" when i + 1 < args.Length:
            compareCann.Add(Path.GetFullPath(args[++i]));
            break;
        case "--root" when i + 1 < args.Length:
            root = Path.GetFullPath(args[++i]);
            break;
        case "--cann-include" when i + 1 < args.Length:
            cannInclude = Path.GetFullPath(args[++i]);
            break;
        case "--output" when i + 1 < args.Length:
            output = Path.GetFullPath(args[++i]);
            break;
        case "--class" when i + 1 < args.Length:
            className = args[++i];
            break;
        case "--typed-class" when i + 1 < args.Length:
            typedClass = args[++i];
            break;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'. Usage: [--check] [--root <repository root>] [--cann-include <dir> [--output <dir>] [--class <name>] [--typed-class <name>] [--verbose] [--isolated]] [--compare-cann <dir>]...");
            return 2;
    }
}

try
{
    root ??= RepositoryRoot.Find();
    if (cannInclude is not null)
    {
        string outputDirectory = Path.GetRelativePath(root, output ?? Path.Combine(root, "bindings", "Ascend.Interop.Native.Cann", "Generated")).Replace('\\', '/');
        string shown = Path.GetRelativePath(root, cannInclude).Replace('\\', '/') is var relative && !relative.StartsWith("..", StringComparison.Ordinal)
            && !Path.IsPathRooted(relative) ? relative : cannInclude;
        var (files, set, parser) = Generator.RunCann(root, cannInclude, outputDirectory, className, shown, batchSize: isolated ? 1 : null, typedClass: typedClass);
        Console.Write(set.Summary());
        Console.WriteLine($"parsed in {OperatorHeaderParser.Seconds(parser.Elapsed)} ({OperatorHeaderParser.Seconds(parser.ProcessorTime)} of processor time on {Environment.ProcessorCount} threads)");
        if (verbose)
        {
            foreach (SkippedHeader skipped in set.SkippedHeaders)
            {
                Console.WriteLine($"{skipped.Header}, every error:\n  " + string.Join("\n  ", skipped.Diagnostics));
            }
        }
        if (set.Functions.Count == 0)
        {
            Console.Error.WriteLine($"bindings generator: error: no function bound from {cannInclude}/aclnnop (every header skipped: see above)");
            return 2;
        }
        return check ? Generator.Check(root, files) : Generator.Write(root, files);
    }
    if (compareCann.Count > 0)
    {
        return CannValueComparer.Run(root, compareCann);
    }
    var generated = Generator.Run(root);
    if (!check)
    {
        return Generator.Write(root, generated);
    }
    int drift = Generator.Check(root, generated);
    List<string> local = CannValueComparer.FindLocalCann(root);
    if (local.Count == 0)
    {
        Console.WriteLine("values not compared with CANN's: no .cann/<version>/include here (build/extract-cann-headers.sh makes one).");
        return drift;
    }
    int values = CannValueComparer.Run(root, local);
    return drift != 0 ? drift : values;
}
catch (GeneratorException e)
{
    Console.Error.WriteLine("bindings generator: error: " + e.Message);
    return 2;
}

internal static class RepositoryRoot
{
    public static string Find()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "native", "bindgen", "settings.json")))
                {
                    return dir.FullName;
                }
            }
        }
        throw new GeneratorException("repository root not found (no native/bindgen/settings.json above the current folder); pass --root <dir>");
    }
}

internal static class Generator
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Relative output path ('/' separated) to file text.</summary>
    public static SortedDictionary<string, string> Run(string root)
    {
        var (settings, groups) = ConfigLoader.Load(root);
        var headerToGroup = new Dictionary<string, HeaderGroup>(StringComparer.Ordinal);
        foreach (HeaderGroup group in groups)
        {
            foreach (string header in group.Headers)
            {
                if (!File.Exists(Path.Combine(root, settings.IncludeDirectory, header)))
                {
                    throw new GeneratorException($"{group.ConfigFile}: header '{header}' not found in {settings.IncludeDirectory}");
                }
                if (!headerToGroup.TryAdd(header, group))
                {
                    throw new GeneratorException($"header '{header}' is listed by both {headerToGroup[header].ConfigFile} and {group.ConfigFile}");
                }
            }
        }

        HeaderModel all = ParseOwnHeaders(root, settings, groups);

        var perGroup = groups.ToDictionary(g => g, _ => new HeaderModel());
        HeaderModel For(string header, string what) => headerToGroup.TryGetValue(header, out HeaderGroup? g)
            ? perGroup[g]
            : throw new GeneratorException($"{settings.IncludeDirectory}/{header} declares {what} but is in no header group (add it to a native/bindgen/*.json)");
        foreach (var e in all.Enums) For(e.Header, "enum " + e.Name).Enums.Add(e);
        foreach (var s in all.Structs) For(s.Header, "struct " + s.Name).Structs.Add(s);
        foreach (var h in all.Handles) For(h.Header, "handle " + h.Name).Handles.Add(h);
        foreach (var a in all.Aliases) For(a.Header, "typedef " + a.Name).Aliases.Add(a);
        foreach (var f in all.Functions) For(f.Header, "function " + f.Name).Functions.Add(f);
        foreach (var m in all.Macros) For(m.Header, "macro " + m.Name).Macros.Add(m);

        var emitter = new CSharpEmitter(settings);
        var output = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var aliasTypes = all.Aliases.ToDictionary(a => a.Name, a => a.CSharpType);
        foreach (HeaderGroup group in groups)
        {
            output[$"{settings.OutputDirectory}/{group.Name}.cs"] = emitter.EmitBindings(group, perGroup[group]);
            output[$"{settings.TestOutputDirectory}/{group.Name}LayoutTests.cs"] = emitter.EmitLayoutTests(group, perGroup[group], aliasTypes);
        }
        output[$"{settings.TestOutputDirectory}/BoundFunctions.cs"] =
            emitter.EmitBoundFunctionList(groups.SelectMany(g => perGroup[g].Functions.Select(f => (g, f))));
        if (settings.TypedOperators is { } typed)
        {
            HeaderGroup group = groups.FirstOrDefault(g => g.Name == typed.Group)
                ?? throw new GeneratorException($"settings.json typedOperators: no header group '{typed.Group}'");
            var enumTypes = all.Enums.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
            var operators = OperatorPairing.Find(perGroup[group].Functions, enumTypes, group.Class);
            TypedOperators result = TypedOperatorEmitter.Emit(operators, group.Class, typed.Class, group.LibraryFor(operators.FirstOrDefault()?.Name ?? "") ?? "opapi",
                CSharpEmitter.Header(group, "Typed operator entry points"));
            output[typed.Output] = result.Text;
            output[typed.Output[..(typed.Output.LastIndexOf('/') + 1)] + result.FunctionsClass + ".g.cs"] = result.FunctionsText;
            Console.Write($"{typed.Class}: {operators.Count} operators of {group.ConfigFile}:\n" + result.Summary(typed.Class));
        }
        foreach (CannInclude sample in settings.CannIncludes)
        {
            var (files, set, parser) = RunCann(root, Path.Combine(root, sample.Include), sample.Output, sample.Class,
                $"{sample.Include} --output {sample.Output} --class {sample.Class}", all, sample.BatchSize);
            foreach (var (path, text) in files)
            {
                output[path] = text;
            }
            Console.WriteLine($"{sample.Class}: {set.Headers.Count} operator headers of {sample.Include} read in {OperatorHeaderParser.Seconds(parser.Elapsed)}: " +
                $"{set.Operators.Count} operators, {set.Functions.Count} functions bound; {set.SkippedHeaders.Count} headers and " +
                $"{set.SkippedDeclarations.Count} declarations skipped (listed at the top of {sample.Output}/{sample.Class}.cs)");
        }
        return output;
    }

    /// <summary>
    /// Our own headers (every header group's), parsed strictly as C and checked to compile as C++17: what
    /// Ascend.Interop.Native declares.
    /// </summary>
    public static HeaderModel ParseOwnHeaders(string root, Settings settings, List<HeaderGroup> groups)
    {
        var parser = new HeaderParser(settings, root, groups.SelectMany(g => g.ExcludeMacros));
        var headers = groups.SelectMany(g => g.Headers).ToList();
        HeaderModel model = parser.Parse(headers);
        parser.CheckCompilesAsCxx(headers);
        return model;
    }

    /// <summary>
    /// Binds every aclnnop/*.h of <paramref name="includeDirectory"/> (an installed CANN's include folder) into class
    /// <paramref name="className"/> (<see cref="OperatorHeaderParser"/>): each header parsed alone as C++17, what cannot
    /// be bound skipped and listed, enums and types only CANN declares nested in the class, every function looked up
    /// at first call in the "opapi" libraries. Headers the CANN folder does not have (aclnn/aclnn_base.h for a partial
    /// set) resolve from native/include. <paramref name="bound"/>: our headers' model, parsed when not given.
    /// </summary>
    public static (SortedDictionary<string, string> Files, OperatorSet Set, OperatorHeaderParser Parser) RunCann(string root, string includeDirectory,
        string outputDirectory, string className, string? displayInclude = null, HeaderModel? bound = null, int? batchSize = null, string? typedClass = null)
    {
        var (settings, groups) = ConfigLoader.Load(root);
        string operators = Path.Combine(includeDirectory, "aclnnop");
        if (!Directory.Exists(operators))
        {
            throw new GeneratorException($"{includeDirectory} has no aclnnop folder (expected an installed CANN's include folder, e.g. /usr/local/Ascend/ascend-toolkit/latest/include)");
        }
        var headers = Directory.GetFiles(operators, "*.h").Select(f => "aclnnop/" + Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        if (headers.Count == 0)
        {
            throw new GeneratorException($"{operators} holds no header");
        }
        bound ??= ParseOwnHeaders(root, settings, groups);
        string display = displayInclude ?? includeDirectory;
        var parser = new OperatorHeaderParser(settings, includeDirectory, [Path.Combine(root, settings.IncludeDirectory)], bound, className,
            displayInclude is null ? includeDirectory : displayInclude.Split(' ')[0])
        {
            BatchSize = batchSize ?? 24,
        };
        OperatorSet set = parser.Parse(headers);
        var group = new HeaderGroup
        {
            Name = className,
            Class = className,
            Headers = headers,
            Libraries = [new LibraryRule { Match = "acl*", Library = "opapi" }],
            ConfigFile = "--cann-include " + display,
        };
        typedClass ??= TypedOperatorEmitter.ClassFor(className);
        TypedOperators typed = TypedOperatorEmitter.Emit(set.Operators, className, typedClass, "opapi",
            CSharpEmitter.Header(group, "Typed operator entry points"));
        set.TypedSummary = typed.Summary(typedClass);
        var emitter = new CSharpEmitter(settings);
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [$"{outputDirectory}/{className}.cs"] = emitter.EmitOperatorBindings(group, set),
            [$"{outputDirectory}/{typedClass}.cs"] = typed.Text,
            [$"{outputDirectory}/{typed.FunctionsClass}.cs"] = typed.FunctionsText,
        };
        return (files, set, parser);
    }

    private static IEnumerable<string> OutputDirectories(SortedDictionary<string, string> generated) =>
        generated.Keys.Select(k => k[..k.LastIndexOf('/')]).Distinct(StringComparer.Ordinal);

    /// <summary>Committed *.cs files in the output folders (relative, '/' separated).</summary>
    private static IEnumerable<string> ExistingFiles(string root, SortedDictionary<string, string> generated) =>
        OutputDirectories(generated)
            .Where(d => Directory.Exists(Path.Combine(root, d)))
            .SelectMany(d => Directory.GetFiles(Path.Combine(root, d), "*.cs").Select(f => d + "/" + Path.GetFileName(f)));

    public static int Write(string root, SortedDictionary<string, string> generated)
    {
        foreach (var (relative, text) in generated)
        {
            string path = Path.Combine(root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            byte[] bytes = Utf8NoBom.GetBytes(text);
            if (!File.Exists(path) || !File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
            {
                File.WriteAllBytes(path, bytes);
                Console.WriteLine("wrote   " + relative);
            }
            else
            {
                Console.WriteLine("same    " + relative);
            }
        }
        foreach (string stale in ExistingFiles(root, generated).Where(f => !generated.ContainsKey(f)).ToList())
        {
            File.Delete(Path.Combine(root, stale));
            Console.WriteLine("deleted " + stale + " (no longer generated)");
        }
        return 0;
    }

    public static int Check(string root, SortedDictionary<string, string> generated)
    {
        string temp = Path.Combine(Path.GetTempPath(), "ascend-bindgen-check-" + Guid.NewGuid().ToString("N"));
        try
        {
            var problems = new List<string>();
            foreach (var (relative, text) in generated)
            {
                string fresh = Path.Combine(temp, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(fresh)!);
                File.WriteAllBytes(fresh, Utf8NoBom.GetBytes(text));
                string committed = Path.Combine(root, relative);
                if (!File.Exists(committed))
                {
                    problems.Add($"  missing:  {relative} (generated, but not in the tree)");
                }
                else if (!File.ReadAllBytes(committed).AsSpan().SequenceEqual(File.ReadAllBytes(fresh)))
                {
                    problems.Add($"  differs:  {relative}{FirstDifference(File.ReadAllText(committed), text)}");
                }
            }
            foreach (string stale in ExistingFiles(root, generated).Where(f => !generated.ContainsKey(f)))
            {
                problems.Add($"  stale:    {stale} (in the tree, but no longer generated)");
            }
            if (problems.Count == 0)
            {
                Console.WriteLine($"bindings are up to date ({generated.Count} generated files match native/include).");
                return 0;
            }
            Console.Error.WriteLine("bindings generator --check: the committed generated files do not match native/include and native/bindgen:");
            foreach (string p in problems)
            {
                Console.Error.WriteLine(p);
            }
            Console.Error.WriteLine("Regenerate them with `dotnet run --project build/Ascend.Interop.BindingsGenerator -c Release` and commit the result.");
            return 1;
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    private static string FirstDifference(string committed, string fresh)
    {
        string[] a = committed.Split('\n');
        string[] b = fresh.Split('\n');
        for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            string left = i < a.Length ? a[i] : "<end of file>";
            string right = i < b.Length ? b[i] : "<end of file>";
            if (left != right)
            {
                return $"\n      first difference at line {i + 1}:\n        committed: {left.Trim()}\n        generated: {right.Trim()}";
            }
        }
        return "";
    }
}
