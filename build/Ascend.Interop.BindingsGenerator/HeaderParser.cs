using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Ascend.Interop.BindingsGenerator;

/// <summary>
/// Parses our own headers (native/include) in one translation unit, in the language settings.json names (C11), and
/// reads every declaration out of it. Strict: any libclang error diagnostic or unmappable declaration fails the run.
/// <see cref="CheckCompilesAsCxx"/> holds the same headers to C++17 (CANN's operator headers are C++, and user code
/// mixes ours with them).
/// </summary>
internal sealed unsafe class HeaderParser
{
    private readonly Settings _settings;
    private readonly string _includeDirectory;
    private readonly HashSet<string> _excludedMacros;

    public HeaderParser(Settings settings, string repoRoot, IEnumerable<string> excludedMacros)
    {
        _excludedMacros = new HashSet<string>(excludedMacros, StringComparer.Ordinal);
        _settings = settings;
        _includeDirectory = Path.GetFullPath(Path.Combine(repoRoot, settings.IncludeDirectory));
    }

    public HeaderModel Parse(IEnumerable<string> headers)
    {
        var args = new List<string>(_settings.ClangArguments) { "-I", _includeDirectory, "-isystem", CompilerIncludes.C() };
        void* index = Clang.clang_createIndex(0, 0);
        try
        {
            using TranslationUnit unit = TranslationUnit.Parse(index, Path.Combine(_includeDirectory, "__bindgen_all_headers.c"), Includes(headers), args,
                Clang.TranslationUnitDetailedPreprocessingRecord | Clang.TranslationUnitSkipFunctionBodies);
            FailOnErrors(unit, "C (" + string.Join(' ', _settings.ClangArguments) + ")");
            return Read(unit);
        }
        finally
        {
            Clang.clang_disposeIndex(index);
        }
    }

    /// <summary>Parses the headers again as C++17; any error diagnostic fails the run (our headers are C and C++ clean).</summary>
    public void CheckCompilesAsCxx(IEnumerable<string> headers)
    {
        var args = new List<string> { "-x", "c++", "-std=c++17", "-I", _includeDirectory };
        args.AddRange(CompilerIncludes.CxxArguments());
        void* index = Clang.clang_createIndex(0, 0);
        try
        {
            using TranslationUnit unit = TranslationUnit.Parse(index, Path.Combine(_includeDirectory, "__bindgen_all_headers.cpp"), Includes(headers), args,
                Clang.TranslationUnitSkipFunctionBodies);
            FailOnErrors(unit, "C++17");
        }
        finally
        {
            Clang.clang_disposeIndex(index);
        }
    }

    private static string Includes(IEnumerable<string> headers)
    {
        var source = new StringBuilder();
        foreach (string header in headers.Order(StringComparer.Ordinal))
        {
            source.Append("#include \"").Append(header).Append("\"\n");
        }
        return source.ToString();
    }

    private static void FailOnErrors(TranslationUnit unit, string language)
    {
        // Warnings are reported too; errors stop generation: after a missing header libclang
        // silently turns unknown types (size_t) into int, and the bindings would be wrong.
        var errors = new List<string>();
        foreach (ClangDiagnostic diagnostic in unit.Diagnostics())
        {
            if (diagnostic.IsError)
            {
                errors.Add(diagnostic.Format(f => f));
            }
            else if (diagnostic.Severity >= Clang.DiagnosticWarning)
            {
                Console.Error.WriteLine("warning from libclang: " + diagnostic.Format(f => f));
            }
        }
        if (errors.Count > 0)
        {
            throw new GeneratorException($"libclang reported errors while parsing the headers as {language}:\n  " + string.Join("\n  ", errors));
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

    private HeaderModel Read(TranslationUnit unit)
    {
        var model = new HeaderModel();
        List<CXCursor> top = DeclarationReader.Flatten(Clang.Children(unit.Cursor)).Where(c => HeaderOf(c) is not null).ToList();
        var reader = new DeclarationReader(unit.Handle, _settings.TypeMap, _excludedMacros);
        reader.RememberTypedefNames(top);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (CXCursor cursor in top)
        {
            reader.ReadDeclaration(cursor, HeaderOf(cursor)!, model, seen);
        }
        return model;
    }
}

/// <summary>
/// The compiler's own include folders. The NuGet libclang ships no builtin headers (stddef.h, stdint.h), so the C parse
/// takes them from gcc; the C++ parse takes the whole system search list of g++ (libstdc++'s &lt;cstdint&gt;, &lt;cstdlib&gt;).
/// </summary>
internal static class CompilerIncludes
{
    private static string? s_c;
    private static List<string>? s_cxx;

    /// <summary>The C compiler's builtin include folder (<c>&lt;cc&gt; -print-file-name=include</c>).</summary>
    public static string C()
    {
        if (s_c is not null)
        {
            return s_c;
        }
        var tried = new List<string>();
        foreach (string? compiler in new[] { Environment.GetEnvironmentVariable("CC"), "gcc", "cc", "clang" })
        {
            if (string.IsNullOrEmpty(compiler))
            {
                continue;
            }
            tried.Add(compiler);
            if (Run(compiler, "-print-file-name=include", null) is { } output)
            {
                output = output.Trim();
                if (Path.IsPathRooted(output) && File.Exists(Path.Combine(output, "stddef.h")))
                {
                    return s_c = output;
                }
            }
        }
        throw new GeneratorException(
            $"no C compiler include folder found (ran '<compiler> -print-file-name=include' with: {string.Join(", ", tried)}). " +
            "libclang from NuGet has no builtin headers (stddef.h, stdint.h); install gcc (apt-get install gcc) or set CC.");
    }

    /// <summary>
    /// "-isystem DIR" for each folder of the C++ compiler's system search list (<c>&lt;c++&gt; -E -x c++ - -v</c>),
    /// in its order; the C compiler's builtin folder alone when no C++ compiler answers (C++ standard headers then fail
    /// with a diagnostic naming them).
    /// </summary>
    public static List<string> CxxArguments()
    {
        if (s_cxx is null)
        {
            var folders = new List<string>();
            foreach (string? compiler in new[] { Environment.GetEnvironmentVariable("CXX"), "g++", "c++", "clang++" })
            {
                if (string.IsNullOrEmpty(compiler) || Run(compiler, "-E -x c++ - -v", "", stderr: true) is not { } output)
                {
                    continue;
                }
                bool inList = false;
                foreach (string line in output.Split('\n'))
                {
                    if (line.StartsWith("#include <...> search starts here", StringComparison.Ordinal))
                    {
                        inList = true;
                    }
                    else if (line.StartsWith("End of search list", StringComparison.Ordinal))
                    {
                        break;
                    }
                    else if (inList && line.StartsWith(' ') && Directory.Exists(line.Trim()))
                    {
                        folders.Add(line.Trim());
                    }
                }
                if (folders.Count > 0)
                {
                    break;
                }
            }
            if (folders.Count == 0)
            {
                folders.Add(C());
            }
            s_cxx = folders.SelectMany(f => new[] { "-isystem", f }).ToList();
        }
        return s_cxx;
    }

    private static string? Run(string compiler, string arguments, string? input, bool stderr = false)
    {
        try
        {
            var start = new ProcessStartInfo(compiler, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = input is not null,
                UseShellExecute = false,
            };
            using Process process = Process.Start(start)!;
            if (input is not null)
            {
                process.StandardInput.Write(input);
                process.StandardInput.Close();
            }
            Task<string> error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? (stderr ? error.Result : output) : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // not installed: try the next compiler
        }
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
