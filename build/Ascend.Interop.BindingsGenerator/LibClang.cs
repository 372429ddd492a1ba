using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

[assembly: DisableRuntimeMarshalling]

namespace Ascend.Interop.BindingsGenerator;

// The slice of libclang's C API (clang-c/Index.h) the generator needs, bound by hand:
// ClangSharp is not available, and the C API is stable across LLVM releases.

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CXString
{
    public void* Data;
    public uint PrivateFlags;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CXCursor
{
    public int Kind;
    public int XData;
    public void* Data0;
    public void* Data1;
    public void* Data2;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CXType
{
    public int Kind;
    public void* Data0;
    public void* Data1;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CXSourceLocation
{
    public void* Ptr0;
    public void* Ptr1;
    public uint IntData;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CXSourceRange
{
    public void* Ptr0;
    public void* Ptr1;
    public uint BeginIntData;
    public uint EndIntData;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CXToken
{
    public uint Int0;
    public uint Int1;
    public uint Int2;
    public uint Int3;
    public void* PtrData;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CXUnsavedFile
{
    public byte* Filename;
    public byte* Contents;
    public nuint Length;
}

internal static class CursorKind
{
    public const int StructDecl = 2;
    public const int UnionDecl = 3;
    public const int EnumDecl = 5;
    public const int FieldDecl = 6;
    public const int EnumConstantDecl = 7;
    public const int FunctionDecl = 8;
    public const int VarDecl = 9;
    public const int ParmDecl = 10;
    public const int TypedefDecl = 20;
    public const int CXXMethod = 21;
    public const int Namespace = 22;
    public const int LinkageSpec = 23;
    public const int ClassDecl = 4;
    public const int FunctionTemplate = 30;
    public const int ClassTemplate = 31;
    public const int UsingDirective = 34;
    public const int UsingDeclaration = 35;
    public const int TypeAliasDecl = 36;
    public const int StaticAssert = 602;
    public const int MacroDefinition = 501;
    public const int InclusionDirective = 503;
}

internal static class TypeKind
{
    public const int Invalid = 0;
    public const int Void = 2;
    public const int Bool = 3;
    public const int CharU = 4;
    public const int UChar = 5;
    public const int UShort = 8;
    public const int UInt = 9;
    public const int ULong = 10;
    public const int ULongLong = 11;
    public const int CharS = 13;
    public const int SChar = 14;
    public const int Short = 16;
    public const int Int = 17;
    public const int Long = 18;
    public const int LongLong = 19;
    public const int Float = 21;
    public const int Double = 22;
    public const int Pointer = 101;
    public const int LValueReference = 103;
    public const int RValueReference = 104;
    public const int Record = 105;
    public const int Enum = 106;
    public const int Typedef = 107;
    public const int FunctionNoProto = 110;
    public const int FunctionProto = 111;
    public const int ConstantArray = 112;
    public const int Elaborated = 119;
}

internal static unsafe partial class Clang
{
    private const string Lib = "libclang";

    public const int DiagnosticError = 3;
    public const int TranslationUnitDetailedPreprocessingRecord = 0x01;
    public const int TranslationUnitIncomplete = 0x02;
    public const int TranslationUnitSkipFunctionBodies = 0x40;
    public const int TranslationUnitKeepGoing = 0x200;
    public const int DiagnosticWarning = 2;
    public const int DiagnosticFatal = 4;
    public const int TokenKindLiteral = 3;
    public const int EvalResultInt = 1;

    [LibraryImport(Lib)] public static partial void* clang_createIndex(int excludeDeclarationsFromPch, int displayDiagnostics);
    [LibraryImport(Lib)] public static partial void clang_disposeIndex(void* index);
    [LibraryImport(Lib)] public static partial int clang_parseTranslationUnit2(void* index, byte* sourceFilename, byte** commandLineArgs, int numCommandLineArgs, CXUnsavedFile* unsavedFiles, uint numUnsavedFiles, uint options, void** outTu);
    [LibraryImport(Lib)] public static partial void clang_disposeTranslationUnit(void* tu);
    [LibraryImport(Lib)] public static partial uint clang_getNumDiagnostics(void* tu);
    [LibraryImport(Lib)] public static partial void* clang_getDiagnostic(void* tu, uint index);
    [LibraryImport(Lib)] public static partial int clang_getDiagnosticSeverity(void* diagnostic);
    [LibraryImport(Lib)] public static partial CXString clang_formatDiagnostic(void* diagnostic, uint options);
    [LibraryImport(Lib)] public static partial uint clang_defaultDiagnosticDisplayOptions();
    [LibraryImport(Lib)] public static partial void clang_disposeDiagnostic(void* diagnostic);
    [LibraryImport(Lib)] public static partial CXCursor clang_getTranslationUnitCursor(void* tu);
    [LibraryImport(Lib)] public static partial uint clang_visitChildren(CXCursor parent, delegate* unmanaged<CXCursor, CXCursor, void*, int> visitor, void* clientData);
    [LibraryImport(Lib)] public static partial CXString clang_getCursorSpelling(CXCursor cursor);
    [LibraryImport(Lib)] public static partial CXSourceLocation clang_getCursorLocation(CXCursor cursor);
    [LibraryImport(Lib)] public static partial CXSourceRange clang_getCursorExtent(CXCursor cursor);
    [LibraryImport(Lib)] public static partial void clang_getFileLocation(CXSourceLocation location, void** file, uint* line, uint* column, uint* offset);
    [LibraryImport(Lib)] public static partial CXString clang_getFileName(void* file);
    [LibraryImport(Lib)] public static partial CXType clang_getCursorType(CXCursor cursor);
    [LibraryImport(Lib)] public static partial CXType clang_getCursorResultType(CXCursor cursor);
    [LibraryImport(Lib)] public static partial CXString clang_getTypeSpelling(CXType type);
    [LibraryImport(Lib)] public static partial CXType clang_getTypedefDeclUnderlyingType(CXCursor cursor);
    [LibraryImport(Lib)] public static partial CXType clang_getEnumDeclIntegerType(CXCursor cursor);
    [LibraryImport(Lib)] public static partial long clang_getEnumConstantDeclValue(CXCursor cursor);
    [LibraryImport(Lib)] public static partial ulong clang_getEnumConstantDeclUnsignedValue(CXCursor cursor);
    [LibraryImport(Lib)] public static partial int clang_Cursor_getNumArguments(CXCursor cursor);
    [LibraryImport(Lib)] public static partial CXCursor clang_Cursor_getArgument(CXCursor cursor, uint index);
    [LibraryImport(Lib)] public static partial CXType clang_getCanonicalType(CXType type);
    [LibraryImport(Lib)] public static partial CXType clang_getPointeeType(CXType type);
    [LibraryImport(Lib)] public static partial CXType clang_Type_getNamedType(CXType type);
    [LibraryImport(Lib)] public static partial CXType clang_getResultType(CXType type);
    [LibraryImport(Lib)] public static partial int clang_getNumArgTypes(CXType type);
    [LibraryImport(Lib)] public static partial CXType clang_getArgType(CXType type, uint index);
    [LibraryImport(Lib)] public static partial CXType clang_getArrayElementType(CXType type);
    [LibraryImport(Lib)] public static partial long clang_getArraySize(CXType type);
    [LibraryImport(Lib)] public static partial long clang_Type_getSizeOf(CXType type);
    [LibraryImport(Lib)] public static partial long clang_Type_getAlignOf(CXType type);
    [LibraryImport(Lib)] public static partial long clang_Cursor_getOffsetOfField(CXCursor cursor);
    [LibraryImport(Lib)] private static partial long clang_Type_getOffsetOf(CXType type, byte* fieldName);

    /// <summary>Offset in bits of a field of <paramref name="record"/>, also one reached through anonymous members.</summary>
    public static long OffsetOf(CXType record, string fieldName)
    {
        byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(fieldName + "\0");
        fixed (byte* p = utf8)
        {
            return clang_Type_getOffsetOf(record, p);
        }
    }
    [LibraryImport(Lib)] public static partial uint clang_Cursor_isBitField(CXCursor cursor);
    [LibraryImport(Lib)] public static partial uint clang_Cursor_isAnonymous(CXCursor cursor);
    [LibraryImport(Lib)] public static partial uint clang_Cursor_isMacroFunctionLike(CXCursor cursor);
    [LibraryImport(Lib)] public static partial uint clang_isCursorDefinition(CXCursor cursor);
    [LibraryImport(Lib)] public static partial CXCursor clang_getTypeDeclaration(CXType type);
    [LibraryImport(Lib)] public static partial CXCursor clang_getCursorDefinition(CXCursor cursor);
    [LibraryImport(Lib)] public static partial uint clang_equalCursors(CXCursor a, CXCursor b);
    [LibraryImport(Lib)] public static partial uint clang_hashCursor(CXCursor cursor);
    [LibraryImport(Lib)] public static partial void clang_tokenize(void* tu, CXSourceRange range, CXToken** tokens, uint* numTokens);
    [LibraryImport(Lib)] public static partial CXString clang_getTokenSpelling(void* tu, CXToken token);
    [LibraryImport(Lib)] public static partial int clang_getTokenKind(CXToken token);
    [LibraryImport(Lib)] public static partial void clang_disposeTokens(void* tu, CXToken* tokens, uint numTokens);
    [LibraryImport(Lib)] private static partial byte* clang_getCString(CXString text);
    [LibraryImport(Lib)] private static partial void clang_disposeString(CXString text);
    [LibraryImport(Lib)] public static partial CXString clang_getClangVersion();
    [LibraryImport(Lib)] public static partial int clang_saveTranslationUnit(void* tu, byte* fileName, uint options);
    [LibraryImport(Lib)] public static partial CXString clang_Cursor_getMangling(CXCursor cursor);
    [LibraryImport(Lib)] public static partial CXString clang_getDiagnosticSpelling(void* diagnostic);
    [LibraryImport(Lib)] public static partial CXSourceLocation clang_getDiagnosticLocation(void* diagnostic);
    [LibraryImport(Lib)] public static partial uint clang_Cursor_isVariadic(CXCursor cursor);
    [LibraryImport(Lib)] public static partial uint clang_Cursor_isFunctionInlined(CXCursor cursor);
    [LibraryImport(Lib)] public static partial void* clang_Cursor_Evaluate(CXCursor cursor);
    [LibraryImport(Lib)] public static partial int clang_EvalResult_getKind(void* result);
    [LibraryImport(Lib)] public static partial uint clang_EvalResult_isUnsignedInt(void* result);
    [LibraryImport(Lib)] public static partial long clang_EvalResult_getAsLongLong(void* result);
    [LibraryImport(Lib)] public static partial ulong clang_EvalResult_getAsUnsigned(void* result);
    [LibraryImport(Lib)] public static partial void clang_EvalResult_dispose(void* result);

    public static string Take(CXString text)
    {
        try
        {
            byte* p = clang_getCString(text);
            return p == null ? "" : Marshal.PtrToStringUTF8((nint)p) ?? "";
        }
        finally
        {
            clang_disposeString(text);
        }
    }

    public static string Spelling(CXCursor c) => Take(clang_getCursorSpelling(c));
    public static string Spelling(CXType t) => Take(clang_getTypeSpelling(t));

    public static List<CXCursor> Children(CXCursor parent)
    {
        var list = new List<CXCursor>();
        GCHandle handle = GCHandle.Alloc(list);
        try
        {
            clang_visitChildren(parent, &Collect, (void*)GCHandle.ToIntPtr(handle));
        }
        finally
        {
            handle.Free();
        }
        return list;
    }

    [UnmanagedCallersOnly]
    private static int Collect(CXCursor cursor, CXCursor parent, void* clientData)
    {
        var list = (List<CXCursor>)GCHandle.FromIntPtr((nint)clientData).Target!;
        list.Add(cursor);
        return 1; // CXChildVisit_Continue
    }

    /// <summary>File, line and column of a source location ("" when it has no file, e.g. a command-line diagnostic).</summary>
    public static (string File, uint Line, uint Column) FileLocation(CXSourceLocation location)
    {
        void* file;
        uint line, column, offset;
        clang_getFileLocation(location, &file, &line, &column, &offset);
        return (file == null ? "" : Take(clang_getFileName(file)), line, column);
    }

    public static (string File, uint Line) Location(CXCursor c)
    {
        void* file;
        uint line, column, offset;
        clang_getFileLocation(clang_getCursorLocation(c), &file, &line, &column, &offset);
        return (file == null ? "" : Take(clang_getFileName(file)), line);
    }

    public static List<(string Text, int Kind)> Tokens(void* tu, CXCursor c)
    {
        CXToken* tokens;
        uint count;
        clang_tokenize(tu, clang_getCursorExtent(c), &tokens, &count);
        var result = new List<(string, int)>((int)count);
        for (uint i = 0; i < count; i++)
        {
            result.Add((Take(clang_getTokenSpelling(tu, tokens[i])), clang_getTokenKind(tokens[i])));
        }
        if (tokens != null)
        {
            clang_disposeTokens(tu, tokens, count);
        }
        return result;
    }
}
