using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Ascend.Interop.BindingsGenerator;

/// <summary>Parses every configured header in one translation unit and reads declarations out of it.</summary>
internal sealed unsafe class HeaderParser
{
    private readonly Settings _settings;
    private readonly string _includeDirectory;
    private readonly Dictionary<uint, List<(CXCursor Cursor, string Name)>> _tagNames = [];
    private readonly HashSet<string> _excludedMacros;
    private void* _tu;

    private readonly string[] _fallbackIncludeDirectories = [];
    private readonly bool _tolerant;

    public HeaderParser(Settings settings, string repoRoot, IEnumerable<string> excludedMacros)
    {
        _excludedMacros = new HashSet<string>(excludedMacros, StringComparer.Ordinal);
        _settings = settings;
        _includeDirectory = Path.GetFullPath(Path.Combine(repoRoot, settings.IncludeDirectory));
    }

    /// <summary>
    /// Parses a foreign include folder (an installed CANN's): declarations count only when they come from
    /// <paramref name="includeDirectory"/>; <paramref name="fallbackIncludeDirectories"/> resolve what it does not
    /// ship itself. Tolerant: a function, macro or declaration the generator cannot map is skipped and listed in
    /// <see cref="Skipped"/> instead of failing the run.
    /// </summary>
    public HeaderParser(Settings settings, string includeDirectory, IEnumerable<string> fallbackIncludeDirectories, bool tolerant)
    {
        _excludedMacros = new HashSet<string>(StringComparer.Ordinal);
        _settings = settings;
        _includeDirectory = Path.GetFullPath(includeDirectory);
        _fallbackIncludeDirectories = fallbackIncludeDirectories.Select(Path.GetFullPath).ToArray();
        _tolerant = tolerant;
    }

    /// <summary>What a tolerant parse left out, with the reason ("aclnnFoo: unsupported C type ...").</summary>
    public List<string> Skipped { get; } = [];

    /// <summary>The compiler's own include folder (stddef.h, stdint.h, stdbool.h): the NuGet libclang has no builtin headers.</summary>
    public static string FindCompilerIncludeDirectory()
    {
        var tried = new List<string>();
        foreach (string? compiler in new[] { Environment.GetEnvironmentVariable("CC"), "gcc", "cc", "clang" })
        {
            if (string.IsNullOrEmpty(compiler))
            {
                continue;
            }
            tried.Add(compiler);
            try
            {
                var start = new ProcessStartInfo(compiler, "-print-file-name=include")
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                using Process process = Process.Start(start)!;
                string output = process.StandardOutput.ReadToEnd().Trim();
                process.WaitForExit();
                if (process.ExitCode == 0 && Path.IsPathRooted(output) && File.Exists(Path.Combine(output, "stddef.h")))
                {
                    return output;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed: try the next compiler.
            }
        }
        throw new GeneratorException(
            $"no C compiler include folder found (ran '<compiler> -print-file-name=include' with: {string.Join(", ", tried)}). " +
            "libclang from NuGet has no builtin headers (stddef.h, stdint.h); install gcc (apt-get install gcc) or set CC.");
    }

    public HeaderModel Parse(IEnumerable<string> headers)
    {
        string compilerInclude = FindCompilerIncludeDirectory();
        var source = new StringBuilder();
        foreach (string header in headers.Order(StringComparer.Ordinal))
        {
            source.Append("#include \"").Append(header).Append("\"\n");
        }
        var args = new List<string>(_settings.ClangArguments)
        {
            "-I", _includeDirectory,
        };
        foreach (string fallback in _fallbackIncludeDirectories)
        {
            args.Add("-I");
            args.Add(fallback);
        }
        args.Add("-isystem");
        args.Add(compilerInclude);

        void* index = Clang.clang_createIndex(0, 0);
        try
        {
            ParseTranslationUnit(index, source.ToString(), args);
            try
            {
                CheckDiagnostics();
                return Read();
            }
            finally
            {
                Clang.clang_disposeTranslationUnit(_tu);
            }
        }
        finally
        {
            Clang.clang_disposeIndex(index);
        }
    }

    private void ParseTranslationUnit(void* index, string source, List<string> args)
    {
        string fileName = Path.Combine(_includeDirectory, "__bindgen_all_headers.c");
        byte[] nameBytes = Encoding.UTF8.GetBytes(fileName + "\0");
        byte[] sourceBytes = Encoding.UTF8.GetBytes(source + "\0");
        var argBytes = args.Select(a => Encoding.UTF8.GetBytes(a + "\0")).ToArray();
        var handles = argBytes.Select(b => System.Runtime.InteropServices.GCHandle.Alloc(b, System.Runtime.InteropServices.GCHandleType.Pinned)).ToArray();
        try
        {
            byte** argv = stackalloc byte*[args.Count];
            for (int i = 0; i < args.Count; i++)
            {
                argv[i] = (byte*)handles[i].AddrOfPinnedObject();
            }
            fixed (byte* name = nameBytes)
            fixed (byte* contents = sourceBytes)
            {
                var unsaved = new CXUnsavedFile { Filename = name, Contents = contents, Length = (nuint)(sourceBytes.Length - 1) };
                void* tu;
                int error = Clang.clang_parseTranslationUnit2(index, name, argv, args.Count, &unsaved, 1,
                    Clang.TranslationUnitDetailedPreprocessingRecord | Clang.TranslationUnitSkipFunctionBodies, &tu);
                if (error != 0 || tu == null)
                {
                    throw new GeneratorException($"libclang could not parse the headers (CXErrorCode {error}); arguments: {string.Join(' ', args)}");
                }
                _tu = tu;
            }
        }
        finally
        {
            foreach (var h in handles)
            {
                h.Free();
            }
        }
    }

    private void CheckDiagnostics()
    {
        uint count = Clang.clang_getNumDiagnostics(_tu);
        var errors = new List<string>();
        for (uint i = 0; i < count; i++)
        {
            void* diagnostic = Clang.clang_getDiagnostic(_tu, i);
            try
            {
                // Warnings are reported too; errors stop generation: after a missing header libclang
                // silently turns unknown types (size_t) into int, and the bindings would be wrong.
                string text = Clang.Take(Clang.clang_formatDiagnostic(diagnostic, Clang.clang_defaultDiagnosticDisplayOptions()));
                if (Clang.clang_getDiagnosticSeverity(diagnostic) >= Clang.DiagnosticError)
                {
                    errors.Add(text);
                }
                else
                {
                    Console.Error.WriteLine("warning from libclang: " + text);
                }
            }
            finally
            {
                Clang.clang_disposeDiagnostic(diagnostic);
            }
        }
        if (errors.Count > 0)
        {
            throw new GeneratorException("libclang reported errors while parsing the headers:\n  " + string.Join("\n  ", errors));
        }
    }

    /// <summary>Header path relative to the include folder, with '/'; null for headers outside it (system headers).</summary>
    private string? HeaderOf(CXCursor cursor)
    {
        string file = Clang.Location(cursor).File;
        if (file.Length == 0)
        {
            return null;
        }
        string full = Path.GetFullPath(file);
        if (!full.StartsWith(_includeDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return null;
        }
        string relative = Path.GetRelativePath(_includeDirectory, full).Replace('\\', '/');
        return relative.StartsWith("__bindgen", StringComparison.Ordinal) ? null : relative;
    }

    private HeaderModel Read()
    {
        var model = new HeaderModel();
        List<CXCursor> top = Flatten(Clang.Children(Clang.clang_getTranslationUnitCursor(_tu)));

        // First pass: give anonymous tags the name of the typedef that declares them.
        foreach (CXCursor cursor in top)
        {
            if (cursor.Kind != CursorKind.TypedefDecl || HeaderOf(cursor) is null)
            {
                continue;
            }
            CXType underlying = Unelaborate(Clang.clang_getTypedefDeclUnderlyingType(cursor));
            if (underlying.Kind is TypeKind.Enum or TypeKind.Record)
            {
                CXCursor tag = Clang.clang_getTypeDeclaration(underlying);
                if (IsAnonymous(tag))
                {
                    RememberTagName(tag, Clang.Spelling(cursor));
                }
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (CXCursor cursor in top)
        {
            string? header = HeaderOf(cursor);
            if (header is null)
            {
                continue;
            }
            if (_tolerant)
            {
                try
                {
                    ReadDeclaration(cursor, header, model, seen);
                }
                catch (GeneratorException e)
                {
                    Skipped.Add($"{header}: {Clang.Spelling(cursor)}: {e.Message}");
                }
                continue;
            }
            ReadDeclaration(cursor, header, model, seen);
        }
        return model;
    }

    private void ReadDeclaration(CXCursor cursor, string header, HeaderModel model, HashSet<string> seen)
    {
        {
            switch (cursor.Kind)
            {
                case CursorKind.EnumDecl when Clang.clang_isCursorDefinition(cursor) != 0:
                    ReadEnum(cursor, header, model, seen);
                    break;
                case CursorKind.StructDecl:
                case CursorKind.UnionDecl:
                    ReadStruct(cursor, header, model, seen);
                    break;
                case CursorKind.TypedefDecl:
                    ReadTypedef(cursor, header, model, seen);
                    break;
                case CursorKind.FunctionDecl:
                    ReadFunction(cursor, header, model, seen);
                    break;
                case CursorKind.MacroDefinition:
                    ReadMacro(cursor, header, model);
                    break;
                case CursorKind.VarDecl:
                    throw new GeneratorException($"{header}: global variable '{Clang.Spelling(cursor)}' is not supported");
            }
        }
    }

    // extern "C" blocks are skipped by the C parse, but flatten linkage specs anyway (C++ mode).
    private static List<CXCursor> Flatten(List<CXCursor> cursors)
    {
        var result = new List<CXCursor>();
        foreach (CXCursor c in cursors)
        {
            if (c.Kind == CursorKind.LinkageSpec)
            {
                result.AddRange(Flatten(Clang.Children(c)));
            }
            else
            {
                result.Add(c);
            }
        }
        return result;
    }

    private static bool IsAnonymous(CXCursor tag)
    {
        string spelling = Clang.Spelling(tag);
        return Clang.clang_Cursor_isAnonymous(tag) != 0 || spelling.Length == 0 || spelling.Contains("(unnamed", StringComparison.Ordinal)
            || spelling.Contains("(anonymous", StringComparison.Ordinal);
    }

    private void RememberTagName(CXCursor tag, string name)
    {
        uint hash = Clang.clang_hashCursor(tag);
        if (!_tagNames.TryGetValue(hash, out var list))
        {
            _tagNames[hash] = list = [];
        }
        list.Add((tag, name));
    }

    private string TagName(CXCursor tag)
    {
        if (_tagNames.TryGetValue(Clang.clang_hashCursor(tag), out var list))
        {
            foreach (var (cursor, name) in list)
            {
                if (Clang.clang_equalCursors(cursor, tag) != 0)
                {
                    return name;
                }
            }
        }
        if (IsAnonymous(tag))
        {
            var (file, line) = Clang.Location(tag);
            throw new GeneratorException($"anonymous struct/enum at {Path.GetFileName(file)}:{line} has no typedef name");
        }
        return Clang.Spelling(tag);
    }

    private static CXType Unelaborate(CXType type) =>
        type.Kind == TypeKind.Elaborated ? Clang.clang_Type_getNamedType(type) : type;

    private void ReadEnum(CXCursor cursor, string header, HeaderModel model, HashSet<string> seen)
    {
        string name = TagName(cursor);
        if (!seen.Add("enum " + name))
        {
            return;
        }
        CXType integer = Clang.clang_getEnumDeclIntegerType(cursor);
        string underlying = MapType(integer);
        bool signed = underlying is "int" or "long" or "short" or "sbyte";
        var constants = new List<EnumConstant>();
        foreach (CXCursor child in Clang.Children(cursor))
        {
            if (child.Kind == CursorKind.EnumConstantDecl)
            {
                DocComments.Note("const:" + Clang.Spelling(child), child);
                constants.Add(new EnumConstant(Clang.Spelling(child), Clang.clang_getEnumConstantDeclValue(child),
                    Clang.clang_getEnumConstantDeclUnsignedValue(child)));
            }
        }
        DocComments.Note("type:" + name, cursor);
        model.Enums.Add(new EnumDef(name, header, underlying, Clang.clang_Type_getSizeOf(integer), signed, constants));
    }

    private void ReadStruct(CXCursor cursor, string header, HeaderModel model, HashSet<string> seen)
    {
        string name = TagName(cursor);
        bool isDefinition = Clang.clang_isCursorDefinition(cursor) != 0;
        if (!isDefinition)
        {
            // A forward declaration: opaque unless a definition appears somewhere.
            CXCursor definition = Clang.clang_getCursorDefinition(cursor);
            if (definition.Kind is CursorKind.StructDecl or CursorKind.UnionDecl)
            {
                return;
            }
            if (seen.Add("struct " + name))
            {
                DocComments.Note("type:" + name, cursor);
                model.Structs.Add(new StructDef(name, header, 0, 0, [], Opaque: true));
            }
            return;
        }
        if (!seen.Add("struct " + name))
        {
            return;
        }
        CXType type = Clang.clang_getCursorType(cursor);
        var fields = new List<FieldDef>();
        bool overlapping = cursor.Kind == CursorKind.UnionDecl;
        ReadFields(cursor, header, name, 0, fields, ref overlapping);
        DocComments.Note("type:" + name, cursor);
        model.Structs.Add(new StructDef(name, header, Clang.clang_Type_getSizeOf(type), Clang.clang_Type_getAlignOf(type), fields, Opaque: false,
            Explicit: overlapping));
    }

    private bool HasTagName(CXCursor tag) =>
        _tagNames.TryGetValue(Clang.clang_hashCursor(tag), out var list) && list.Exists(t => Clang.clang_equalCursors(t.Cursor, tag) != 0);

    // The fields of a struct or union at their offsets from the outer record (baseBits). A C11 anonymous member
    // (union or struct) is read in place, which makes the outer layout overlapping; libclang lists it as a nested
    // record declaration without a field, so its offset comes from one of its fields' offset in the outer record.
    private void ReadFields(CXCursor record, string header, string name, long baseBits, List<FieldDef> fields, ref bool overlapping)
    {
        CXType recordType = Clang.clang_getCursorType(record);
        foreach (CXCursor child in Clang.Children(record))
        {
            if (child.Kind is CursorKind.StructDecl or CursorKind.UnionDecl && IsAnonymous(child) && !HasTagName(child))
            {
                CXCursor first = Clang.Children(child).Find(c => c.Kind == CursorKind.FieldDecl);
                if (first.Kind != CursorKind.FieldDecl)
                {
                    continue;
                }
                long memberBits = Clang.OffsetOf(recordType, Clang.Spelling(first)) - Clang.clang_Cursor_getOffsetOfField(first);
                overlapping = true;
                ReadFields(child, header, name, baseBits + memberBits, fields, ref overlapping);
                continue;
            }
            if (child.Kind != CursorKind.FieldDecl)
            {
                continue;
            }
            string fieldName = Clang.Spelling(child);
            if (Clang.clang_Cursor_isBitField(child) != 0)
            {
                throw new GeneratorException($"{header}: bit-field {name}.{fieldName} is not supported");
            }
            CXType fieldType = Clang.clang_getCursorType(child);
            long arrayLength = 0;
            string csType;
            if (fieldType.Kind == TypeKind.ConstantArray)
            {
                arrayLength = Clang.clang_getArraySize(fieldType);
                csType = MapType(Clang.clang_getArrayElementType(fieldType));
                if (!IsPrimitive(csType))
                {
                    throw new GeneratorException($"{header}: array field {name}.{fieldName} of '{csType}' is not supported (only primitive element types)");
                }
            }
            else
            {
                csType = MapType(fieldType);
            }
            DocComments.Note("field:" + name + "." + fieldName, child);
            fields.Add(new FieldDef(fieldName, csType, Clang.Spelling(fieldType), baseBits + Clang.clang_Cursor_getOffsetOfField(child), arrayLength));
        }
    }

    internal static bool IsPrimitive(string cs) =>
        cs is "byte" or "sbyte" or "short" or "ushort" or "int" or "uint" or "long" or "ulong" or "float" or "double" or "nint" or "nuint";

    private void ReadTypedef(CXCursor cursor, string header, HeaderModel model, HashSet<string> seen)
    {
        string name = Clang.Spelling(cursor);
        if (_settings.TypeMap.ContainsKey(name))
        {
            return;
        }
        CXType underlying = Clang.clang_getTypedefDeclUnderlyingType(cursor);
        CXType bare = Unelaborate(underlying);
        if (bare.Kind is TypeKind.Enum or TypeKind.Record)
        {
            return; // the tag itself is emitted (named after this typedef when anonymous)
        }
        if (IsVoidPointer(bare))
        {
            if (seen.Add("handle " + name))
            {
                DocComments.Note("type:" + name, cursor);
                model.Handles.Add(new HandleDef(name, header, Clang.clang_Type_getSizeOf(underlying)));
            }
            return;
        }
        if (seen.Add("alias " + name))
        {
            model.Aliases.Add(new AliasDef(name, header, MapType(underlying), Clang.clang_Type_getSizeOf(underlying)));
        }
    }

    private static bool IsVoidPointer(CXType type) =>
        type.Kind == TypeKind.Pointer && Clang.clang_getPointeeType(type).Kind == TypeKind.Void;

    private void ReadFunction(CXCursor cursor, string header, HeaderModel model, HashSet<string> seen)
    {
        string name = Clang.Spelling(cursor);
        if (!seen.Add("function " + name))
        {
            return;
        }
        CXType type = Clang.clang_getCursorType(cursor);
        if (type.Kind != TypeKind.FunctionProto)
        {
            throw new GeneratorException($"{header}: function '{name}' has no prototype; declare its parameters (use (void) for none)");
        }
        CXType result = Clang.clang_getCursorResultType(cursor);
        var parameters = new List<ParamDef>();
        int count = Clang.clang_Cursor_getNumArguments(cursor);
        for (uint i = 0; i < count; i++)
        {
            CXCursor arg = Clang.clang_Cursor_getArgument(cursor, i);
            string argName = Clang.Spelling(arg);
            CXType argType = Clang.clang_getCursorType(arg);
            parameters.Add(new ParamDef(argName.Length == 0 ? $"param{i}" : argName, MapType(argType), Clang.Spelling(argType)));
        }
        string resultC = Clang.Spelling(result);
        string prototype = Join(resultC, name) + "(" +
            (parameters.Count == 0 ? "void" : string.Join(", ", parameters.Select(p => Join(p.CType, p.Name)))) + ")";
        DocComments.Note("function:" + name, cursor);
        model.Functions.Add(new FunctionDef(name, header, MapType(result), resultC, parameters, prototype));
    }

    private static string Join(string type, string name) => type.EndsWith('*') ? type + name : type + " " + name;

    private void ReadMacro(CXCursor cursor, string header, HeaderModel model)
    {
        if (Clang.clang_Cursor_isMacroFunctionLike(cursor) != 0)
        {
            return;
        }
        List<(string Text, int Kind)> tokens = Clang.Tokens(_tu, cursor);
        string name = tokens.Count > 0 ? tokens[0].Text : Clang.Spelling(cursor);
        if (tokens.Count <= 1 || _excludedMacros.Contains(name))
        {
            return; // include guards and empty markers
        }
        List<string> body = tokens.Skip(1).Select(t => t.Text).ToList();
        string text = "#define " + name + " " + string.Join(" ", body);
        if (!IntegerMacro.TryEvaluate(body, out string csType, out string value))
        {
            throw new GeneratorException(
                $"{header}: macro {name} is not an integer constant ({text}); exclude it in the group's 'excludeMacros' or teach the generator its form");
        }
        DocComments.Note("macro:" + name, cursor, macro: true);
        model.Macros.Add(new MacroDef(name, header, csType, value, text));
    }

    /// <summary>The blittable C# spelling of a C type.</summary>
    private string MapType(CXType type)
    {
        switch (type.Kind)
        {
            case TypeKind.Elaborated:
                return MapType(Clang.clang_Type_getNamedType(type));
            case TypeKind.Typedef:
            {
                CXCursor decl = Clang.clang_getTypeDeclaration(type);
                string name = Clang.Spelling(decl);
                if (_settings.TypeMap.TryGetValue(name, out string? mapped))
                {
                    return mapped;
                }
                CXType underlying = Clang.clang_getTypedefDeclUnderlyingType(decl);
                return IsVoidPointer(Unelaborate(underlying)) ? name : MapType(underlying);
            }
            case TypeKind.Pointer:
            {
                CXType pointee = Clang.clang_getPointeeType(type);
                CXType canonicalPointee = Clang.clang_getCanonicalType(pointee);
                if (canonicalPointee.Kind is TypeKind.FunctionProto or TypeKind.FunctionNoProto)
                {
                    return MapFunctionPointer(Unelaborate(pointee).Kind == TypeKind.Typedef ? canonicalPointee : Unparen(pointee));
                }
                return MapType(pointee) + "*";
            }
            case TypeKind.Void: return "void";
            case TypeKind.Bool: return "byte";
            case TypeKind.CharS:
            case TypeKind.SChar: return "sbyte";
            case TypeKind.CharU:
            case TypeKind.UChar: return "byte";
            case TypeKind.Short: return "short";
            case TypeKind.UShort: return "ushort";
            case TypeKind.Int: return "int";
            case TypeKind.UInt: return "uint";
            case TypeKind.Long: return Clang.clang_Type_getSizeOf(type) == 8 ? "long" : "int";
            case TypeKind.ULong: return Clang.clang_Type_getSizeOf(type) == 8 ? "ulong" : "uint";
            case TypeKind.LongLong: return "long";
            case TypeKind.ULongLong: return "ulong";
            case TypeKind.Float: return "float";
            case TypeKind.Double: return "double";
            case TypeKind.Enum:
            case TypeKind.Record:
                return TagName(Clang.clang_getTypeDeclaration(type));
            default:
                throw new GeneratorException($"unsupported C type '{Clang.Spelling(type)}' (CXTypeKind {type.Kind})");
        }
    }

    private static CXType Unparen(CXType type) => Clang.clang_getCanonicalType(type);

    private string MapFunctionPointer(CXType function)
    {
        var parts = new List<string>();
        if (function.Kind == TypeKind.FunctionProto)
        {
            int count = Clang.clang_getNumArgTypes(function);
            for (uint i = 0; i < count; i++)
            {
                parts.Add(MapType(Clang.clang_getArgType(function, i)));
            }
        }
        parts.Add(MapType(Clang.clang_getResultType(function)));
        return "delegate* unmanaged<" + string.Join(", ", parts) + ">";
    }
}

/// <summary>Evaluates object-like macros that are integer literals, optionally negated or parenthesized.</summary>
internal static class IntegerMacro
{
    public static bool TryEvaluate(List<string> tokens, out string csType, out string value)
    {
        csType = "";
        value = "";
        var body = new List<string>(tokens);
        while (body.Count >= 2 && body[0] == "(" && body[^1] == ")")
        {
            body = body.GetRange(1, body.Count - 2);
        }
        bool negative = false;
        if (body.Count == 2 && body[0] == "-")
        {
            negative = true;
            body.RemoveAt(0);
        }
        if (body.Count != 1)
        {
            return false;
        }
        string literal = body[0];
        string digits = literal.TrimEnd('u', 'U', 'l', 'L');
        string suffix = literal[digits.Length..].ToLowerInvariant();
        if (suffix is not ("" or "u" or "l" or "ul" or "lu" or "ll" or "ull" or "llu"))
        {
            return false;
        }
        ulong magnitude;
        bool decimalLiteral;
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            decimalLiteral = false;
            if (!ulong.TryParse(digits.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out magnitude))
            {
                return false;
            }
        }
        else if (digits.Length > 1 && digits[0] == '0')
        {
            decimalLiteral = false;
            magnitude = 0;
            foreach (char c in digits)
            {
                if (c is < '0' or > '7')
                {
                    return false;
                }
                magnitude = checked(magnitude * 8 + (ulong)(c - '0'));
            }
        }
        else
        {
            decimalLiteral = true;
            if (!ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out magnitude))
            {
                return false;
            }
        }
        // C's rules for the type of an integer literal (C11 6.4.4.1), on LP64.
        bool unsignedSuffix = suffix.Contains('u');
        bool longSuffix = suffix.Contains('l');
        if (!unsignedSuffix && !longSuffix && magnitude <= int.MaxValue)
        {
            csType = "int";
        }
        else if (!longSuffix && (unsignedSuffix || !decimalLiteral) && magnitude <= uint.MaxValue)
        {
            csType = "uint";
        }
        else if (!unsignedSuffix && magnitude <= long.MaxValue)
        {
            csType = "long";
        }
        else if (unsignedSuffix || !decimalLiteral)
        {
            csType = "ulong";
        }
        else
        {
            return false;
        }
        if (negative)
        {
            if (csType is "uint" or "ulong")
            {
                return false; // C would wrap; refuse rather than guess
            }
            value = "-" + magnitude.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            bool hexLiteral = digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
            value = !hexLiteral
                ? magnitude.ToString(CultureInfo.InvariantCulture)
                : "0x" + magnitude.ToString("X" + Math.Max(1, digits.Length - 2).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        }
        return true;
    }
}
