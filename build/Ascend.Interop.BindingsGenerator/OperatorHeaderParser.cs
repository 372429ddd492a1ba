using System.Diagnostics;
using System.Globalization;

namespace Ascend.Interop.BindingsGenerator;

/// <summary>
/// Reads the operator headers of a CANN include folder (<c>aclnnop/*.h</c>) into an <see cref="OperatorSet"/>.
/// <list type="bullet">
/// <item>C++17, as CANN writes them (<c>aclnn/aclnn_base.h</c> includes <c>&lt;cstdint&gt;</c>, <c>&lt;cstdlib&gt;</c>).</item>
/// <item>Each header in its own translation unit: one that does not compile (an include CANN does not ship, a C++
/// error) is skipped with its first error and the run goes on. The shared base (<c>aclnn/aclnn_base.h</c>) is
/// precompiled once and the headers are parsed in parallel, so ~600 headers take about a second.</item>
/// <item>Only C functions named <c>acl*</c> are bound (<c>aclnn*</c>, and a few operators named <c>acl*</c> such as
/// <c>aclStft</c>). Functions with C++ linkage (overloads, declarations outside
/// <c>extern "C"</c>), inline definitions and unmappable types are skipped, each with its reason; C++ reference
/// parameters of C functions are bound as pointers (the same ABI) and noted.</item>
/// <item>Types resolve to Ascend.Interop.Native's (our headers') by C name; an enum or struct only CANN declares (an
/// operator header's <c>Reduction</c>, <c>GMMActType</c>; the base headers' <c>aclScalarList</c>) is nested in the
/// generated class, so it cannot collide with a top-level type.</item>
/// </list>
/// </summary>
internal sealed unsafe class OperatorHeaderParser
{
    /// <summary>Every operator header includes it: precompiled once per run.</summary>
    private const string PrecompiledBase = "aclnn/aclnn_base.h";

    private readonly Settings _settings;
    private readonly string _includeDirectory;
    private readonly string[] _fallbackIncludeDirectories;
    private readonly HeaderModel _bound;
    private readonly string _className;
    private readonly string _includeDisplay;
    private readonly HashSet<string> _boundEnums;
    private readonly HashSet<string> _boundStructs;
    private readonly HashSet<string> _boundHandles;
    private List<string> _precompiledStandardHeaders = [];

    /// <param name="settings">settings.json (type map).</param>
    /// <param name="includeDirectory">The CANN include folder (holding <c>aclnnop/</c>).</param>
    /// <param name="fallbackIncludeDirectories">Resolve what the CANN folder does not ship (our native/include).</param>
    /// <param name="bound">What Ascend.Interop.Native declares (our headers' model): types found there are not nested.</param>
    /// <param name="className">The generated class.</param>
    /// <param name="includeDisplay">The include folder as output shows it.</param>
    public OperatorHeaderParser(Settings settings, string includeDirectory, IEnumerable<string> fallbackIncludeDirectories, HeaderModel bound,
        string className, string includeDisplay)
    {
        _settings = settings;
        _includeDirectory = Path.GetFullPath(includeDirectory);
        _fallbackIncludeDirectories = fallbackIncludeDirectories.Select(Path.GetFullPath).ToArray();
        _bound = bound;
        _className = className;
        _includeDisplay = includeDisplay;
        _boundEnums = bound.Enums.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        _boundStructs = bound.Structs.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        _boundHandles = bound.Handles.Select(h => h.Name).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>How long the last <see cref="Parse"/> took (for the summary printed on the console, not for output files).</summary>
    public TimeSpan Elapsed { get; private set; }

    /// <summary>The processor time the last <see cref="Parse"/> used, over all threads (unlike the wall time, not inflated by other load).</summary>
    public TimeSpan ProcessorTime { get; private set; }

    /// <summary>
    /// Headers per translation unit. libclang spends ~3 ms setting up each unit whatever its size, so ~600 headers one by
    /// one cost seconds; in batches they cost well under one. A batch with any error is parsed again header by header,
    /// so a header that fails is skipped alone, with its own diagnostics.
    /// </summary>
    public int BatchSize { get; init; } = 24;

    /// <summary>Reads <paramref name="headers"/> (paths relative to the include folder, e.g. <c>aclnnop/aclnn_add.h</c>).</summary>
    public OperatorSet Parse(IReadOnlyList<string> headers)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan processor = Process.GetCurrentProcess().TotalProcessorTime;
        var args = new List<string> { "-x", "c++", "-std=c++17", "-I", _includeDirectory };
        foreach (string fallback in _fallbackIncludeDirectories)
        {
            args.Add("-I");
            args.Add(fallback);
        }
        args.AddRange(CompilerIncludes.CxxArguments());

        string temp = Path.Combine(Path.GetTempPath(), "ascend-bindgen-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temp);
        try
        {
            var (pch, pchNote) = Precompile(args, temp, StandardHeaders(headers));
            var headerArgs = new List<string>(args);
            if (pch is not null)
            {
                headerArgs.Add("-include-pch");
                headerArgs.Add(pch);
            }
            int batchSize = Math.Max(1, BatchSize);
            var batches = Enumerable.Range(0, (headers.Count + batchSize - 1) / batchSize)
                .Select(b => headers.Skip(b * batchSize).Take(batchSize).ToList()).ToList();
            var results = new HeaderResult[batches.Count][];
            Parallel.For(0, batches.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount) },
                () => (nint)Clang.clang_createIndex(1, 0),
                (i, _, index) =>
                {
                    results[i] = ParseBatch((void*)index, batches[i], headerArgs)
                        ?? batches[i].SelectMany(h => ParseBatch((void*)index, [h], headerArgs)!).ToArray();
                    return index;
                },
                index => Clang.clang_disposeIndex((void*)index));
            OperatorSet set = Merge(results.SelectMany(r => r).ToArray());
            set.ParseMode = "C++17" + (pch is null ? $"; {pchNote}"
                : $", {string.Join(", ", _precompiledStandardHeaders.Select(h => $"<{h}>").Append(PrecompiledBase))} precompiled");
            Elapsed = clock.Elapsed;
            ProcessorTime = Process.GetCurrentProcess().TotalProcessorTime - processor;
            return set;
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>
    /// The C++ standard headers (<c>&lt;string&gt;</c>, <c>&lt;array&gt;</c>: an angle include without extension) the
    /// operator headers include: precompiled with the base, as parsing <c>&lt;string&gt;</c> costs ten times an
    /// operator header. The price: a header that uses one without including it still parses.
    /// </summary>
    private List<string> StandardHeaders(IReadOnlyList<string> headers)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string header in headers)
        {
            foreach (string line in File.ReadLines(Path.Combine(_includeDirectory, header)))
            {
                string text = line.TrimStart();
                if (!text.StartsWith('#'))
                {
                    continue;
                }
                text = text[1..].TrimStart();
                if (text.StartsWith("include", StringComparison.Ordinal) && text[7..].Trim() is ['<', .. var name, '>']
                    && name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                {
                    found.Add(name);
                }
            }
        }
        return [.. found];
    }

    /// <summary>The shared base as a precompiled header, or null and why not (then each header parses it itself).</summary>
    private (string? Path, string Note) Precompile(List<string> args, string temp, List<string> standardHeaders)
    {
        if (!File.Exists(Path.Combine(_includeDirectory, PrecompiledBase)) && !_fallbackIncludeDirectories.Any(d => File.Exists(Path.Combine(d, PrecompiledBase))))
        {
            return (null, $"no {PrecompiledBase} to precompile");
        }
        string prelude = Path.Combine(temp, "bindgen_base.h");
        File.WriteAllText(prelude, string.Concat(standardHeaders.Select(h => $"#include <{h}>\n")) + $"#include \"{PrecompiledBase}\"\n");
        _precompiledStandardHeaders = standardHeaders;
        var pchArgs = new List<string>(args);
        pchArgs[pchArgs.IndexOf("c++")] = "c++-header";
        void* index = Clang.clang_createIndex(0, 0);
        try
        {
            using TranslationUnit unit = TranslationUnit.Parse(index, prelude, null, pchArgs,
                Clang.TranslationUnitIncomplete | Clang.TranslationUnitSkipFunctionBodies);
            ClangDiagnostic? error = unit.Diagnostics().Where(d => d.IsError).Select(d => (ClangDiagnostic?)d).FirstOrDefault();
            if (error is { } e)
            {
                return (null, $"{PrecompiledBase} not precompiled: {e.Format(ShowFile)}");
            }
            string pch = Path.Combine(temp, "bindgen_base.pch");
            return unit.Save(pch) ? (pch, "") : (null, $"{PrecompiledBase} not precompiled: libclang could not save it");
        }
        finally
        {
            Clang.clang_disposeIndex(index);
        }
    }

    /// <summary>What one header gave: its functions and nested types, or why it was skipped.</summary>
    private sealed class HeaderResult(string header)
    {
        public string Header { get; } = header;
        public SkippedHeader? Failure { get; set; }
        public List<FunctionDef> Functions { get; } = [];
        public Dictionary<string, EnumDef> Enums { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, StructDef> Structs { get; } = new(StringComparer.Ordinal);
        public List<SkippedDeclaration> Skipped { get; } = [];
        public List<string> Notes { get; } = [];
    }

    /// <summary>
    /// Parses <paramref name="batch"/> in one translation unit. Null when a batch of several headers has an error (the
    /// caller parses each alone); a single header with errors gives its failure.
    /// </summary>
    private HeaderResult[]? ParseBatch(void* index, List<string> batch, List<string> args)
    {
        using TranslationUnit unit = TranslationUnit.Parse(index, Path.Combine(_includeDirectory, "__bindgen_operator_headers.cpp"),
            string.Concat(batch.Select(h => $"#include \"{h}\"\n")), args, Clang.TranslationUnitSkipFunctionBodies);
        var errors = unit.Diagnostics().Where(d => d.IsError).Select(d => d.Format(ShowFile)).ToList();
        if (errors.Count > 0)
        {
            return batch.Count > 1 ? null : [new HeaderResult(batch[0]) { Failure = new SkippedHeader(batch[0], errors[0], errors) }];
        }
        HeaderResult current = null!;
        DeclarationReader reader = null!;
        reader = new DeclarationReader(unit.Handle, _settings.TypeMap, new HashSet<string>())
        {
            MapReferenceParameters = true,
            ResolveNamedType = (declaration, name, kind) => Resolve(current, reader, declaration, name, kind),
        };
        var inBatch = batch.ToHashSet(StringComparer.Ordinal);
        var top = DeclarationReader.Flatten(Clang.Children(unit.Cursor))
            .Select(c => (Cursor: c, Header: HeaderOf(c)))
            .Where(c => c.Header is not null && inBatch.Contains(c.Header))
            .ToLookup(c => c.Header!, c => c.Cursor, StringComparer.Ordinal);
        reader.RememberTypedefNames(top.SelectMany(g => g));
        var results = new HeaderResult[batch.Count];
        for (int i = 0; i < batch.Count; i++)
        {
            if (batch.Count > 1 && !top.Contains(batch[i]))
            {
                // Nothing of it in the unit: most likely an include guard it shares with an earlier header of the
                // batch (CANN has such pairs), which hid it. Alone it is read as a program including only it would.
                results[i] = ParseBatch(index, [batch[i]], args)![0];
                continue;
            }
            current = results[i] = new HeaderResult(batch[i]);
            int notes = reader.Notes.Count;
            ReadHeader(current, reader, top[batch[i]].ToList());
            current.Notes.AddRange(reader.Notes.Skip(notes));
        }
        return results;
    }

    /// <summary>The declarations of one operator header (its own top-level cursors) into <paramref name="result"/>.</summary>
    private void ReadHeader(HeaderResult result, DeclarationReader reader, List<CXCursor> top)
    {
        string header = result.Header;
        var declarationsByName = top.Where(c => c.Kind == CursorKind.FunctionDecl).GroupBy(Clang.Spelling)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var read = new HashSet<string>(StringComparer.Ordinal);
        foreach (CXCursor cursor in top)
        {
            string name = Clang.Spelling(cursor);
            switch (cursor.Kind)
            {
                case CursorKind.FunctionDecl:
                    if (read.Contains(name))
                    {
                        break;
                    }
                    if (FunctionSkipReason(cursor, name, declarationsByName[name]) is { } reason)
                    {
                        if (!result.Skipped.Any(s => s.Name == name && s.Reason == reason))
                        {
                            result.Skipped.Add(new SkippedDeclaration(header, name, reason));
                        }
                        break;
                    }
                    int notes = reader.Notes.Count;
                    try
                    {
                        result.Functions.Add(reader.ReadFunction(cursor, header));
                        read.Add(name);
                    }
                    catch (GeneratorException e)
                    {
                        reader.Notes.RemoveRange(notes, reader.Notes.Count - notes);
                        result.Skipped.Add(new SkippedDeclaration(header, name, StripHeader(e.Message, header)));
                    }
                    break;
                case CursorKind.EnumDecl when Clang.clang_isCursorDefinition(cursor) != 0:
                    try
                    {
                        Resolve(result, reader, cursor, reader.TagName(cursor), NamedTypeKind.Enum);
                    }
                    catch (GeneratorException e)
                    {
                        result.Skipped.Add(new SkippedDeclaration(header, "enum " + name, StripHeader(e.Message, header)));
                    }
                    break;
                case CursorKind.Namespace:
                    result.Skipped.Add(new SkippedDeclaration(header, "namespace " + name, "C++ namespace: its declarations are not bound"));
                    break;
                case CursorKind.ClassTemplate:
                case CursorKind.FunctionTemplate:
                    result.Skipped.Add(new SkippedDeclaration(header, name, "C++ template: not bound"));
                    break;
                case CursorKind.ClassDecl when Clang.clang_isCursorDefinition(cursor) != 0:
                    result.Skipped.Add(new SkippedDeclaration(header, "class " + name, "C++ class: not bound"));
                    break;
                case CursorKind.VarDecl:
                    result.Skipped.Add(new SkippedDeclaration(header, name, "variable: not bound (only functions and the types they use)"));
                    break;
            }
        }
    }

    /// <summary>Why a function cannot be bound by its C name, or null when it can.</summary>
    private static string? FunctionSkipReason(CXCursor cursor, string name, int declarations)
    {
        string mangled = Clang.Take(Clang.clang_Cursor_getMangling(cursor));
        if (mangled.Length > 0 && mangled != name)
        {
            return declarations > 1
                ? $"C++ overload (mangled {mangled}): no C symbol to bind"
                : $"C++ linkage, declared outside extern \"C\" (mangled {mangled}): no C symbol to bind";
        }
        if (!name.StartsWith("acl", StringComparison.Ordinal))
        {
            return "not an acl* function: only the operator API (aclnn*, and acl* operators such as aclStft) is bound";
        }
        if (Clang.clang_Cursor_isFunctionInlined(cursor) != 0 || Clang.clang_isCursorDefinition(cursor) != 0)
        {
            return "defined inline in the header: no exported symbol";
        }
        return null;
    }

    private static string StripHeader(string message, string header) =>
        message.StartsWith(header + ": ", StringComparison.Ordinal) ? message[(header.Length + 2)..] : message;

    /// <summary>The C# spelling of a named type a declaration of <paramref name="result"/>'s header uses.</summary>
    private string Resolve(HeaderResult result, DeclarationReader reader, CXCursor declaration, string name, NamedTypeKind kind)
    {
        string? declaredIn = HeaderOf(declaration);
        bool operatorHeader = declaredIn == result.Header;
        if (!operatorHeader)
        {
            bool ours = kind switch
            {
                NamedTypeKind.Enum => _boundEnums.Contains(name),
                NamedTypeKind.Struct => _boundStructs.Contains(name),
                _ => _boundHandles.Contains(name),
            };
            if (ours)
            {
                return name;
            }
        }
        switch (kind)
        {
            case NamedTypeKind.Handle:
                return "void*"; // a void* typedef Ascend.Interop.Native lacks: the C name stays in NativeTypeName
            case NamedTypeKind.Enum:
                if (!result.Enums.ContainsKey(name))
                {
                    CXCursor definition = Clang.clang_isCursorDefinition(declaration) != 0 ? declaration : Clang.clang_getCursorDefinition(declaration);
                    if (definition.Kind != CursorKind.EnumDecl)
                    {
                        throw new GeneratorException($"enum '{name}' has no definition");
                    }
                    result.Enums[name] = reader.ReadEnumDefinition(definition, name, declaredIn ?? result.Header);
                }
                return _className + "." + name;
            default:
                if (!result.Structs.ContainsKey(name))
                {
                    result.Structs[name] = new StructDef(name, declaredIn ?? result.Header, 0, 0, [], Opaque: true); // placeholder while its fields map
                    result.Structs[name] = reader.ReadStructDefinition(declaration, name, declaredIn ?? result.Header);
                }
                return _className + "." + name;
        }
    }

    /// <summary>Path relative to the CANN folder or a fallback folder ('/' separated); null outside them (system headers).</summary>
    private string? HeaderOf(CXCursor cursor)
    {
        string file = Clang.Location(cursor).File;
        return file.Length == 0 ? null : Relative(file);
    }

    private string? Relative(string file)
    {
        string full = Path.GetFullPath(file);
        foreach (string directory in _fallbackIncludeDirectories.Prepend(_includeDirectory))
        {
            if (full.StartsWith(directory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                return Path.GetRelativePath(directory, full).Replace('\\', '/');
            }
        }
        return null;
    }

    private string ShowFile(string file) => Relative(file) ?? file;

    /// <summary>Joins the per-header results in header order: redeclarations once, conflicts skipped, operators paired.</summary>
    private OperatorSet Merge(HeaderResult[] results)
    {
        var set = new OperatorSet { IncludeDisplay = _includeDisplay, ClassName = _className };
        var functions = new Dictionary<string, FunctionDef>(StringComparer.Ordinal);
        var enums = new Dictionary<string, EnumDef>(StringComparer.Ordinal);
        var structs = new Dictionary<string, StructDef>(StringComparer.Ordinal);
        foreach (HeaderResult result in results)
        {
            set.Headers.Add(result.Header);
            if (result.Failure is not null)
            {
                set.SkippedHeaders.Add(result.Failure);
                continue;
            }
            var renames = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (EnumDef e in result.Enums.Values.OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                if (!enums.TryGetValue(e.Name, out EnumDef? existing))
                {
                    enums[e.Name] = e;
                }
                else if (!SameEnum(existing, e))
                {
                    // Two operator headers give one enum name different constants: keep both, the later one renamed.
                    string renamed = e.Name + "_" + Stem(result.Header);
                    enums[renamed] = e with { Name = renamed };
                    renames[_className + "." + e.Name] = _className + "." + renamed;
                    set.Notes.Add($"{result.Header}: enum {e.Name} bound as {_className}.{renamed}: {existing.Header} declares {e.Name} with other constants");
                }
            }
            foreach (StructDef s in result.Structs.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                if (!structs.TryGetValue(s.Name, out StructDef? existing) || (existing.Opaque && !s.Opaque))
                {
                    structs[s.Name] = s;
                }
            }
            foreach (FunctionDef f in result.Functions)
            {
                FunctionDef function = renames.Count == 0 ? f : Rename(f, renames);
                if (!functions.TryGetValue(function.Name, out FunctionDef? existing))
                {
                    functions[function.Name] = function;
                }
                else if (existing.Prototype != function.Prototype)
                {
                    set.SkippedDeclarations.Add(new SkippedDeclaration(result.Header, function.Name,
                        $"declared differently in {existing.Header} ({existing.Prototype}); that one is bound"));
                }
            }
            set.SkippedDeclarations.AddRange(result.Skipped);
            set.Notes.AddRange(result.Notes.Select(n => result.Header + ": " + n));
        }
        set.Functions.AddRange(functions.Values.OrderBy(f => f.Name, StringComparer.Ordinal));
        set.Enums.AddRange(enums.Values.OrderBy(e => e.Name, StringComparer.Ordinal));
        set.Structs.AddRange(structs.Values.OrderBy(s => s.Name, StringComparer.Ordinal));
        var enumTypes = _boundEnums.Concat(set.Enums.Select(e => _className + "." + e.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (FunctionDef f in set.Functions)
        {
            if (OperatorPairing.PhaseOne(f, functions, enumTypes, _className) is { } op)
            {
                set.Operators.Add(op);
            }
        }
        return set;
    }

    private static bool SameEnum(EnumDef a, EnumDef b) =>
        a.CSharpUnderlying == b.CSharpUnderlying && a.Constants.SequenceEqual(b.Constants);

    private static string Stem(string header)
    {
        string file = Path.GetFileNameWithoutExtension(header);
        return file.StartsWith("aclnn_", StringComparison.Ordinal) ? file["aclnn_".Length..] : file;
    }

    private static FunctionDef Rename(FunctionDef f, Dictionary<string, string> renames)
    {
        string Map(string cs)
        {
            string bare = cs.TrimEnd('*');
            return renames.TryGetValue(bare, out string? renamed) ? renamed + cs[bare.Length..] : cs;
        }
        return f with { ReturnCSharp = Map(f.ReturnCSharp), Params = f.Params.Select(p => p with { CSharpType = Map(p.CSharpType) }).ToList() };
    }

    /// <summary>"0.84 s" for the console line.</summary>
    public static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";
}
