namespace Ascend.Interop.BindingsGenerator;

/// <summary>What kind of named C type a <see cref="DeclarationReader.ResolveNamedType"/> hook is asked about.</summary>
internal enum NamedTypeKind
{
    Enum,
    Struct,
    Handle,
}

/// <summary>
/// Reads the declarations of one parsed translation unit (C or C++) into a <see cref="HeaderModel"/> and maps C types
/// to their blittable C# spelling. The caller decides which cursors to read (by header) and how named types resolve.
/// </summary>
internal sealed unsafe class DeclarationReader(void* tu, IReadOnlyDictionary<string, string> typeMap, IReadOnlySet<string> excludedMacros)
{
    private readonly Dictionary<uint, List<(CXCursor Cursor, string Name)>> _tagNames = [];
    private readonly Dictionary<string, (string Type, string Value)> _macros = new(StringComparer.Ordinal);

    /// <summary>
    /// How a named enum, struct or <c>void *</c> handle typedef is spelled in C#, given its declaration and C name.
    /// Null: its C name (the bindings of our own headers, where every type is emitted at the top level).
    /// </summary>
    public Func<CXCursor, string, NamedTypeKind, string>? ResolveNamedType { get; init; }

    /// <summary>Accept C++ reference parameters (bound as pointers: the same ABI); each is noted in <see cref="Notes"/>.</summary>
    public bool MapReferenceParameters { get; init; }

    /// <summary>What the reader mapped in a way worth telling ("aclnnFoo: reference parameter 'x' ... bound as ...").</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Gives anonymous enums and structs the name of the typedef that declares them (first pass over a unit).</summary>
    public void RememberTypedefNames(IEnumerable<CXCursor> typedefs)
    {
        foreach (CXCursor cursor in typedefs)
        {
            if (cursor.Kind != CursorKind.TypedefDecl)
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
    }

    /// <summary>Reads one top-level declaration of our own headers; throws <see cref="GeneratorException"/> for what cannot be mapped.</summary>
    public void ReadDeclaration(CXCursor cursor, string header, HeaderModel model, HashSet<string> seen)
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
                if (seen.Add("function " + Clang.Spelling(cursor)))
                {
                    model.Functions.Add(ReadFunction(cursor, header));
                }
                break;
            case CursorKind.MacroDefinition:
                ReadMacro(cursor, header, model);
                break;
            case CursorKind.VarDecl:
                throw new GeneratorException($"{header}: global variable '{Clang.Spelling(cursor)}' is not supported");
        }
    }

    /// <summary>Top-level cursors with <c>extern "C"</c> (and <c>extern "C++"</c>) blocks opened.</summary>
    public static List<CXCursor> Flatten(List<CXCursor> cursors)
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

    /// <summary>The C name of an enum or struct: its tag, or the typedef name of an anonymous one.</summary>
    public string TagName(CXCursor tag)
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

    private string Resolve(CXCursor declaration, string name, NamedTypeKind kind) =>
        ResolveNamedType is null ? name : ResolveNamedType(declaration, name, kind);

    private void ReadEnum(CXCursor cursor, string header, HeaderModel model, HashSet<string> seen)
    {
        string name = TagName(cursor);
        if (seen.Add("enum " + name))
        {
            model.Enums.Add(ReadEnumDefinition(cursor, name, header));
        }
    }

    /// <summary>An enum definition with its constants and the underlying type clang gives it.</summary>
    public EnumDef ReadEnumDefinition(CXCursor cursor, string name, string header)
    {
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
        return new EnumDef(name, header, underlying, Clang.clang_Type_getSizeOf(integer), signed, constants);
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
        if (seen.Add("struct " + name))
        {
            model.Structs.Add(ReadStructDefinition(cursor, name, header));
        }
    }

    /// <summary>
    /// A struct: its fields, size and alignment when <paramref name="cursor"/> (or a declaration it points to) is
    /// defined, else an opaque struct (used through pointers only).
    /// </summary>
    public StructDef ReadStructDefinition(CXCursor cursor, string name, string header)
    {
        if (Clang.clang_isCursorDefinition(cursor) == 0)
        {
            CXCursor definition = Clang.clang_getCursorDefinition(cursor);
            if (definition.Kind is not (CursorKind.StructDecl or CursorKind.UnionDecl or CursorKind.ClassDecl))
            {
                DocComments.Note("type:" + name, cursor);
                return new StructDef(name, header, 0, 0, [], Opaque: true);
            }
            cursor = definition;
        }
        CXType type = Clang.clang_getCursorType(cursor);
        var fields = new List<FieldDef>();
        bool overlapping = cursor.Kind == CursorKind.UnionDecl;
        ReadFields(cursor, header, name, 0, fields, ref overlapping);
        DocComments.Note("type:" + name, cursor);
        return new StructDef(name, header, Clang.clang_Type_getSizeOf(type), Clang.clang_Type_getAlignOf(type), fields, Opaque: false,
            Explicit: overlapping);
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
                if (child.Kind is CursorKind.CXXMethod or CursorKind.FunctionTemplate)
                {
                    throw new GeneratorException($"{header}: struct '{name}' has member functions (C++ only)");
                }
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
        if (typeMap.ContainsKey(name))
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

    /// <summary>A function declaration: C# and C types of its result and parameters, and its C prototype.</summary>
    public FunctionDef ReadFunction(CXCursor cursor, string header)
    {
        string name = Clang.Spelling(cursor);
        CXType type = Clang.clang_getCursorType(cursor);
        if (type.Kind != TypeKind.FunctionProto)
        {
            throw new GeneratorException($"{header}: function '{name}' has no prototype; declare its parameters (use (void) for none)");
        }
        if (Clang.clang_Cursor_isVariadic(cursor) != 0)
        {
            throw new GeneratorException($"{header}: function '{name}' is variadic");
        }
        CXType result = Clang.clang_getCursorResultType(cursor);
        var parameters = new List<ParamDef>();
        int count = Clang.clang_Cursor_getNumArguments(cursor);
        for (uint i = 0; i < count; i++)
        {
            CXCursor arg = Clang.clang_Cursor_getArgument(cursor, i);
            string argName = Clang.Spelling(arg);
            if (argName.Length == 0)
            {
                argName = $"param{i}";
            }
            CXType argType = Clang.clang_getCursorType(arg);
            string csType;
            if (argType.Kind is TypeKind.LValueReference or TypeKind.RValueReference)
            {
                if (!MapReferenceParameters)
                {
                    throw new GeneratorException($"parameter '{argName}' is a C++ reference ({Clang.Spelling(argType)})");
                }
                csType = MapType(Clang.clang_getPointeeType(argType)) + "*";
                Notes.Add($"{name}: reference parameter '{argName}' ({Clang.Spelling(argType)}) bound as a pointer ({csType}), the same ABI");
            }
            else
            {
                csType = MapType(argType);
            }
            parameters.Add(new ParamDef(argName, csType, Clang.Spelling(argType)));
        }
        string resultC = Clang.Spelling(result);
        string prototype = Join(resultC, name) + "(" +
            (parameters.Count == 0 ? "void" : string.Join(", ", parameters.Select(p => Join(p.CType, p.Name)))) + ")";
        DocComments.Note("function:" + name, cursor);
        return new FunctionDef(name, header, MapType(result), resultC, parameters, prototype);
    }

    private static string Join(string type, string name) => type.EndsWith('*') || type.EndsWith('&') ? type + name : type + " " + name;

    private void ReadMacro(CXCursor cursor, string header, HeaderModel model)
    {
        if (Clang.clang_Cursor_isMacroFunctionLike(cursor) != 0)
        {
            return;
        }
        List<(string Text, int Kind)> tokens = Clang.Tokens(tu, cursor);
        string name = tokens.Count > 0 ? tokens[0].Text : Clang.Spelling(cursor);
        if (tokens.Count <= 1 || excludedMacros.Contains(name))
        {
            return; // include guards and empty markers
        }
        List<string> body = tokens.Skip(1).Select(t => t.Text).ToList();
        string text = "#define " + name + " " + string.Join(" ", body);
        if (!IntegerMacro.TryEvaluate(body, out string csType, out string value))
        {
            if (body.Count == 1 && _macros.TryGetValue(body[0], out (string Type, string Value) aliased))
            {
                (csType, value) = aliased; // #define OLD_NAME NEW_NAME: an alias of a macro read before it
            }
            else
            {
                throw new GeneratorException(
                    $"{header}: macro {name} is not an integer constant ({text}); exclude it in the group's 'excludeMacros' or teach the generator its form");
            }
        }
        DocComments.Note("macro:" + name, cursor, macro: true);
        _macros[name] = (csType, value);
        model.Macros.Add(new MacroDef(name, header, csType, value, text));
    }

    /// <summary>The blittable C# spelling of a C type.</summary>
    public string MapType(CXType type)
    {
        switch (type.Kind)
        {
            case TypeKind.Elaborated:
                return MapType(Clang.clang_Type_getNamedType(type));
            case TypeKind.Typedef:
            {
                CXCursor decl = Clang.clang_getTypeDeclaration(type);
                string name = Clang.Spelling(decl);
                if (typeMap.TryGetValue(name, out string? mapped))
                {
                    return mapped;
                }
                CXType underlying = Clang.clang_getTypedefDeclUnderlyingType(decl);
                CXType bare = Unelaborate(underlying);
                if (IsVoidPointer(bare))
                {
                    return Resolve(decl, name, NamedTypeKind.Handle);
                }
                if (bare.Kind is TypeKind.Enum or TypeKind.Record)
                {
                    CXCursor tag = Clang.clang_getTypeDeclaration(bare);
                    if (IsAnonymous(tag))
                    {
                        RememberTagName(tag, name); // typedef enum { ... } name; seen before its typedef was read
                    }
                }
                return MapType(underlying);
            }
            case TypeKind.Pointer:
            {
                CXType pointee = Clang.clang_getPointeeType(type);
                CXType canonicalPointee = Clang.clang_getCanonicalType(pointee);
                if (canonicalPointee.Kind is TypeKind.FunctionProto or TypeKind.FunctionNoProto)
                {
                    return MapFunctionPointer(Unelaborate(pointee).Kind == TypeKind.Typedef ? canonicalPointee : Clang.clang_getCanonicalType(pointee));
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
            {
                CXCursor decl = Clang.clang_getTypeDeclaration(type);
                return Resolve(decl, TagName(decl), NamedTypeKind.Enum);
            }
            case TypeKind.Record:
            {
                CXCursor decl = Clang.clang_getTypeDeclaration(type);
                return Resolve(decl, TagName(decl), NamedTypeKind.Struct);
            }
            default:
                throw new GeneratorException($"unsupported C type '{Clang.Spelling(type)}' (CXTypeKind {type.Kind})");
        }
    }

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
