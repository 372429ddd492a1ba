using System.Globalization;
using System.Numerics;
using System.Text;

namespace Ascend.Interop.BindingsGenerator;

/// <summary>
/// Checks that every enum constant and integer macro our headers declare (the header groups with
/// <c>compareValues</c>, i.e. everything but the simulator's own and HCCL's, which the HCCL owner checks) has CANN's
/// value, against the public headers of one or more CANN versions (build/extract-cann-headers.sh lays them out).
/// Rules:
/// <list type="bullet">
/// <item>A name takes the value of the newest version that declares it (9.1 over 9.0); an older version that lacks
/// it or gives another value is listed as a version note (our header comments say so), not a failure.</item>
/// <item>A name no version declares fails, unless the group config lists it as an obsolete alias of ours
/// (<c>obsoleteMacros</c>), whose target must then have the alias's value.</item>
/// <item>Our enum's constants must each be a constant of CANN's enum of the same name with the same value;
/// constants CANN has and we leave out are listed for information.</item>
/// <item>Macros compare value and C# type (CANN's <c>static const int</c> counts as <c>int</c>).</item>
/// </list>
/// CANN's headers are C++: each is parsed alone as C++17, keeping going after errors (a header that fails still
/// gives the declarations before the failure); only headers that mention one of our names are parsed.
/// </summary>
internal static unsafe class CannValueComparer
{
    private sealed record CannValue(string Name, BigInteger Value, string CSharpType, string Header, string Text, string? Enum);

    /// <summary>One CANN version's values: by name, and each enum's constants in order.</summary>
    private sealed class CannValues(string label, string include)
    {
        public string Label { get; } = label;
        public string Include { get; } = include;
        public Dictionary<string, CannValue> ByName { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, List<CannValue>> Enums { get; } = new(StringComparer.Ordinal);
        public List<string> ParseErrors { get; } = [];
    }

    /// <summary>The include folders under <paramref name="root"/>/.cann (<c>.cann/&lt;version&gt;/include</c>), oldest first.</summary>
    public static List<string> FindLocalCann(string root)
    {
        string folder = Path.Combine(root, ".cann");
        if (!Directory.Exists(folder))
        {
            return [];
        }
        return Directory.GetDirectories(folder).Select(d => Path.Combine(d, "include")).Where(Directory.Exists)
            .OrderBy(d => Label(d), VersionComparer.Instance).ToList();
    }

    private static string Label(string include) => Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(include).TrimEnd('/'))!) ?? include;

    /// <summary>Compares and prints the report; 0 when every value equals CANN's, 1 otherwise.</summary>
    public static int Run(string root, IReadOnlyList<string> cannIncludes)
    {
        var (settings, groups) = ConfigLoader.Load(root);
        HeaderModel ours = Generator.ParseOwnHeaders(root, settings, groups);
        var compared = groups.Where(g => g.CompareValues).ToList();
        var comparedHeaders = compared.SelectMany(g => g.Headers).ToHashSet(StringComparer.Ordinal);
        var aliases = compared.SelectMany(g => g.ObsoleteMacros).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        var macros = ours.Macros.Where(m => comparedHeaders.Contains(m.Header)).OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
        var enums = ours.Enums.Where(e => comparedHeaders.Contains(e.Header)).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        var names = macros.Select(m => m.Name).Concat(enums.SelectMany(e => e.Constants.Select(c => c.Name))).Concat(enums.Select(e => e.Name))
            .ToHashSet(StringComparer.Ordinal);

        var versions = cannIncludes.OrderBy(Label, VersionComparer.Instance)
            .Select(include => Read(Path.GetFullPath(include), Label(include), names)).ToList();
        var newestFirst = Enumerable.Reverse(versions).ToList();

        var failures = new List<string>();
        var notes = new List<string>();
        var extra = new List<string>();
        int equal = 0;

        foreach (MacroDef macro in macros)
        {
            BigInteger value = Parse(macro.Value);
            if (aliases.TryGetValue(macro.Name, out string? target))
            {
                MacroDef? targetMacro = macros.FirstOrDefault(m => m.Name == target);
                if (targetMacro is null || Parse(targetMacro.Value) != value)
                {
                    failures.Add($"{macro.Name} ({macro.Header}): obsolete alias of {target}, which our headers do not declare with the value {macro.Value}");
                }
                else if (newestFirst.Any(v => v.ByName.ContainsKey(macro.Name)))
                {
                    failures.Add($"{macro.Name} ({macro.Header}): listed as our obsolete alias, but CANN declares it");
                }
                else
                {
                    equal++;
                    notes.Add($"{macro.Name}: our obsolete alias of {target} ({macro.Value}); not a CANN name");
                }
                continue;
            }
            CompareOne(macro.Name, macro.Header, value, macro.CSharpType, enumName: null, newestFirst, failures, notes, ref equal);
        }
        foreach (EnumDef e in enums)
        {
            CannValues? newest = newestFirst.FirstOrDefault(v => v.Enums.ContainsKey(e.Name));
            if (newest is null)
            {
                failures.Add($"enum {e.Name} ({e.Header}): no CANN version declares it");
                continue;
            }
            foreach (EnumConstant c in e.Constants)
            {
                BigInteger value = e.Signed ? c.Value : c.UnsignedValue;
                CompareOne(c.Name, e.Header, value, null, e.Name, newestFirst, failures, notes, ref equal);
            }
            var ourConstants = e.Constants.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            var missing = newest.Enums[e.Name].Where(c => !ourConstants.Contains(c.Name)).ToList();
            if (missing.Count > 0)
            {
                extra.Add($"{e.Name} (CANN {newest.Label}): {string.Join(", ", missing.Select(c => $"{c.Name} = {c.Value}"))}");
            }
        }

        var report = new StringBuilder();
        report.Append("Values of native/include (").Append(string.Join(", ", compared.Select(g => g.ConfigFile))).Append(") against CANN ")
            .Append(string.Join(", ", versions.Select(v => $"{v.Label} ({Path.GetRelativePath(root, v.Include)})"))).Append(":\n");
        report.Append($"  compared:  {macros.Count} macros, {enums.Sum(e => e.Constants.Count)} constants of {enums.Count} enums\n");
        report.Append($"  equal:     {equal}\n");
        report.Append($"  differ:    {failures.Count}\n");
        foreach (CannValues v in versions.Where(v => v.ParseErrors.Count > 0))
        {
            report.Append($"  ({v.Label}: {v.ParseErrors.Count} CANN headers had errors when parsed alone; what they declare before the error counts)\n");
            foreach (string e in v.ParseErrors)
            {
                report.Append("    ").Append(e).Append('\n');
            }
        }
        if (failures.Count > 0)
        {
            report.Append("differences:\n");
            foreach (string f in failures)
            {
                report.Append("  ").Append(f).Append('\n');
            }
        }
        if (notes.Count > 0)
        {
            report.Append("version notes (a name follows the newest version that has it):\n");
            foreach (string n in notes)
            {
                report.Append("  ").Append(n).Append('\n');
            }
        }
        if (extra.Count > 0)
        {
            report.Append("CANN constants our enums leave out (for information):\n");
            foreach (string x in extra)
            {
                report.Append("  ").Append(x).Append('\n');
            }
        }
        Console.Write(report.ToString());
        return failures.Count == 0 ? 0 : 1;
    }

    private static void CompareOne(string name, string header, BigInteger value, string? csType, string? enumName, List<CannValues> newestFirst,
        List<string> failures, List<string> notes, ref int equal)
    {
        CannValues? newest = newestFirst.FirstOrDefault(v => v.ByName.ContainsKey(name));
        if (newest is null)
        {
            failures.Add($"{name} ({header}): no CANN version declares it");
            return;
        }
        CannValue cann = newest.ByName[name];
        var problems = new List<string>();
        if (cann.Value != value)
        {
            problems.Add($"ours {value}, CANN {newest.Label} {cann.Value}");
        }
        if (enumName is not null && cann.Enum != enumName)
        {
            problems.Add($"ours is a constant of {enumName}, CANN {newest.Label}'s " + (cann.Enum is null ? "a macro or constant" : "of " + cann.Enum));
        }
        if (csType is not null && cann.Enum is null && cann.CSharpType != csType)
        {
            problems.Add($"ours is {csType}, CANN {newest.Label}'s {cann.CSharpType} ({cann.Text})");
        }
        if (problems.Count > 0)
        {
            failures.Add($"{name} ({header}): {string.Join("; ", problems)}");
            return;
        }
        equal++;
        foreach (CannValues older in newestFirst.SkipWhile(v => v != newest).Skip(1))
        {
            if (!older.ByName.TryGetValue(name, out CannValue? old))
            {
                notes.Add($"{name}: {newest.Label}'s value {value}; not in {older.Label}");
            }
            else if (old.Value != value)
            {
                notes.Add($"{name}: {newest.Label}'s value {value}; {older.Label} has {old.Value}");
            }
        }
    }

    /// <summary>Enum constants, integer macros and <c>static const</c> integers of one CANN include folder.</summary>
    private static CannValues Read(string include, string label, HashSet<string> names)
    {
        var values = new CannValues(label, include);
        var headers = Directory.GetFiles(include, "*.h", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(include, f).Replace('\\', '/'))
            .Where(h => MentionsAny(Path.Combine(include, h), names))
            .Order(StringComparer.Ordinal).ToList();
        var args = new List<string> { "-x", "c++", "-std=c++17", "-I", include, "-I", Path.Combine(include, "aclnn") };
        args.AddRange(CompilerIncludes.CxxArguments());
        void* index = Clang.clang_createIndex(0, 0);
        try
        {
            foreach (string header in headers)
            {
                using TranslationUnit unit = TranslationUnit.Parse(index, Path.Combine(include, "__bindgen_values.cpp"), $"#include \"{header}\"\n", args,
                    Clang.TranslationUnitDetailedPreprocessingRecord | Clang.TranslationUnitSkipFunctionBodies | Clang.TranslationUnitKeepGoing);
                if (unit.Diagnostics().FirstOrDefault(d => d.IsError) is { Message: not null } error)
                {
                    values.ParseErrors.Add($"{header}: {error.Message}");
                }
                ReadUnit(unit, include, values);
            }
        }
        finally
        {
            Clang.clang_disposeIndex(index);
        }
        return values;
    }

    private static bool MentionsAny(string file, HashSet<string> names)
    {
        string text = File.ReadAllText(file);
        foreach (string name in names)
        {
            if (text.Contains(name, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    private static void ReadUnit(TranslationUnit unit, string include, CannValues values)
    {
        string? HeaderOf(CXCursor c)
        {
            string file = Clang.Location(c).File;
            if (file.Length == 0)
            {
                return null;
            }
            string full = Path.GetFullPath(file);
            return full.StartsWith(include + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                ? Path.GetRelativePath(include, full).Replace('\\', '/')
                : null;
        }
        var reader = new DeclarationReader(unit.Handle, new Dictionary<string, string>(), new HashSet<string>());
        List<CXCursor> top = DeclarationReader.Flatten(Clang.Children(unit.Cursor));
        reader.RememberTypedefNames(top.Where(c => HeaderOf(c) is not null));
        foreach (CXCursor cursor in top)
        {
            string? header = HeaderOf(cursor);
            if (header is null || header.StartsWith("__bindgen", StringComparison.Ordinal))
            {
                continue;
            }
            switch (cursor.Kind)
            {
                case CursorKind.EnumDecl when Clang.clang_isCursorDefinition(cursor) != 0:
                {
                    string name;
                    try
                    {
                        name = reader.TagName(cursor);
                    }
                    catch (GeneratorException)
                    {
                        name = "(anonymous enum)";
                    }
                    if (values.Enums.ContainsKey(name))
                    {
                        break;
                    }
                    var constants = new List<CannValue>();
                    bool unsigned = Clang.clang_getEnumDeclIntegerType(cursor).Kind is TypeKind.UInt or TypeKind.ULong or TypeKind.ULongLong
                        or TypeKind.UShort or TypeKind.UChar;
                    foreach (CXCursor child in Clang.Children(cursor))
                    {
                        if (child.Kind == CursorKind.EnumConstantDecl)
                        {
                            BigInteger v = unsigned ? Clang.clang_getEnumConstantDeclUnsignedValue(child) : Clang.clang_getEnumConstantDeclValue(child);
                            var constant = new CannValue(Clang.Spelling(child), v, "", header, Clang.Spelling(child), name);
                            constants.Add(constant);
                            values.ByName.TryAdd(constant.Name, constant);
                        }
                    }
                    values.Enums[name] = constants;
                    break;
                }
                case CursorKind.MacroDefinition when Clang.clang_Cursor_isMacroFunctionLike(cursor) == 0:
                {
                    List<(string Text, int Kind)> tokens = Clang.Tokens(unit.Handle, cursor);
                    if (tokens.Count <= 1)
                    {
                        break;
                    }
                    string name = tokens[0].Text;
                    List<string> body = tokens.Skip(1).Select(t => t.Text).ToList();
                    string text = "#define " + name + " " + string.Join(" ", body);
                    if (IntegerMacro.TryEvaluate(body, out string csType, out string value))
                    {
                        values.ByName.TryAdd(name, new CannValue(name, Parse(value), csType, header, text, null));
                    }
                    else if (body.Count == 1 && values.ByName.TryGetValue(body[0], out CannValue? aliased))
                    {
                        values.ByName.TryAdd(name, aliased with { Name = name, Text = text, Enum = null });
                    }
                    break;
                }
                case CursorKind.VarDecl:
                {
                    void* result = Clang.clang_Cursor_Evaluate(cursor);
                    if (result == null)
                    {
                        break;
                    }
                    try
                    {
                        if (Clang.clang_EvalResult_getKind(result) == Clang.EvalResultInt)
                        {
                            BigInteger v = Clang.clang_EvalResult_isUnsignedInt(result) != 0
                                ? Clang.clang_EvalResult_getAsUnsigned(result)
                                : Clang.clang_EvalResult_getAsLongLong(result);
                            string csType;
                            try
                            {
                                csType = reader.MapType(Clang.clang_getCursorType(cursor));
                            }
                            catch (GeneratorException)
                            {
                                csType = Clang.Spelling(Clang.clang_getCursorType(cursor));
                            }
                            string name = Clang.Spelling(cursor);
                            values.ByName.TryAdd(name, new CannValue(name, v, csType, header, $"{Clang.Spelling(Clang.clang_getCursorType(cursor))} {name} = {v}", null));
                        }
                    }
                    finally
                    {
                        Clang.clang_EvalResult_dispose(result);
                    }
                    break;
                }
            }
        }
    }

    private static BigInteger Parse(string value) =>
        value.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? BigInteger.Parse("0" + value[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
            : BigInteger.Parse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    /// <summary>Orders "9.0.0" before "9.1.0" before "10.0.0"; other names after, ordinally.</summary>
    private sealed class VersionComparer : IComparer<string>
    {
        public static readonly VersionComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            bool vx = Version.TryParse(x, out Version? a), vy = Version.TryParse(y, out Version? b);
            return vx && vy ? a!.CompareTo(b) : vx ? -1 : vy ? 1 : string.CompareOrdinal(x, y);
        }
    }
}
