using System.Runtime.InteropServices;
using System.Text;

namespace Ascend.Interop.BindingsGenerator;

/// <summary>One libclang diagnostic: severity (<see cref="Clang.DiagnosticWarning"/> and up), where, and its text.</summary>
internal readonly record struct ClangDiagnostic(int Severity, string File, uint Line, uint Column, string Message)
{
    public bool IsError => Severity >= Clang.DiagnosticError;

    /// <summary>"file:line:column: error: message", the file shown by <paramref name="showFile"/> (e.g. relative to an include folder).</summary>
    public string Format(Func<string, string> showFile)
    {
        string severity = Severity switch
        {
            >= Clang.DiagnosticFatal => "fatal error",
            Clang.DiagnosticError => "error",
            Clang.DiagnosticWarning => "warning",
            _ => "note",
        };
        return File.Length == 0 ? $"{severity}: {Message}" : $"{showFile(File)}:{Line}:{Column}: {severity}: {Message}";
    }
}

/// <summary>A parsed libclang translation unit (disposed with the object).</summary>
internal sealed unsafe class TranslationUnit : IDisposable
{
    private TranslationUnit(void* handle)
    {
        Handle = handle;
    }

    public void* Handle { get; private set; }

    /// <summary>
    /// Parses <paramref name="mainFile"/>; with <paramref name="contents"/> the file need not exist (an unsaved buffer).
    /// Throws only when libclang cannot parse at all (bad arguments); diagnostics are read with <see cref="Diagnostics"/>.
    /// </summary>
    public static TranslationUnit Parse(void* index, string mainFile, string? contents, IReadOnlyList<string> args, int options)
    {
        byte[] nameBytes = Encoding.UTF8.GetBytes(mainFile + "\0");
        byte[] sourceBytes = Encoding.UTF8.GetBytes((contents ?? "") + "\0");
        var handles = args.Select(a => GCHandle.Alloc(Encoding.UTF8.GetBytes(a + "\0"), GCHandleType.Pinned)).ToArray();
        try
        {
            byte** argv = stackalloc byte*[Math.Max(1, args.Count)];
            for (int i = 0; i < args.Count; i++)
            {
                argv[i] = (byte*)handles[i].AddrOfPinnedObject();
            }
            fixed (byte* name = nameBytes)
            fixed (byte* source = sourceBytes)
            {
                var unsaved = new CXUnsavedFile { Filename = name, Contents = source, Length = (nuint)(sourceBytes.Length - 1) };
                void* tu;
                int error = Clang.clang_parseTranslationUnit2(index, name, argv, args.Count, contents is null ? null : &unsaved,
                    contents is null ? 0u : 1u, (uint)options, &tu);
                if (error != 0 || tu == null)
                {
                    throw new GeneratorException($"libclang could not parse {mainFile} (CXErrorCode {error}); arguments: {string.Join(' ', args)}");
                }
                return new TranslationUnit(tu);
            }
        }
        finally
        {
            foreach (GCHandle h in handles)
            {
                h.Free();
            }
        }
    }

    public List<ClangDiagnostic> Diagnostics()
    {
        var list = new List<ClangDiagnostic>();
        uint count = Clang.clang_getNumDiagnostics(Handle);
        for (uint i = 0; i < count; i++)
        {
            void* diagnostic = Clang.clang_getDiagnostic(Handle, i);
            try
            {
                var (file, line, column) = Clang.FileLocation(Clang.clang_getDiagnosticLocation(diagnostic));
                list.Add(new ClangDiagnostic(Clang.clang_getDiagnosticSeverity(diagnostic), file, line, column,
                    Clang.Take(Clang.clang_getDiagnosticSpelling(diagnostic))));
            }
            finally
            {
                Clang.clang_disposeDiagnostic(diagnostic);
            }
        }
        return list;
    }

    public CXCursor Cursor => Clang.clang_getTranslationUnitCursor(Handle);

    /// <summary>Writes the unit as a precompiled header; false when libclang refuses.</summary>
    public bool Save(string path)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            return Clang.clang_saveTranslationUnit(Handle, p, 0) == 0;
        }
    }

    public void Dispose()
    {
        if (Handle != null)
        {
            Clang.clang_disposeTranslationUnit(Handle);
            Handle = null;
        }
    }
}
