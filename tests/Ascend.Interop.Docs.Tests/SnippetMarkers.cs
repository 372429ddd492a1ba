namespace Ascend.Interop.Docs.Tests;

/// <summary>
/// The markers of a C# block (docs/CONTRIBUTING.md, "Code blocks in the docs"), written after the language in the
/// fence's info string: <c>prelude=KIND</c>, <c>excerpt=PATH</c>, <c>no-run: REASON</c>, <c>not-compiled: REASON</c>.
/// </summary>
public sealed record SnippetMarkers(SnippetPrelude? Prelude, string? Excerpt, string? NoRunReason, string? NotCompiledReason)
{
    public const string Syntax = "prelude=KIND, excerpt=PATH, no-run: REASON, not-compiled: REASON";

    /// <summary>Parses the markers; a <see cref="FormatException"/> says what is wrong with them.</summary>
    public static SnippetMarkers Parse(string markers)
    {
        SnippetPrelude? prelude = null;
        string? excerpt = null, noRun = null, notCompiled = null;
        string rest = markers.Trim();
        while (rest.Length > 0)
        {
            if (TryReason(ref rest, "not-compiled:", out notCompiled) || TryReason(ref rest, "no-run:", out noRun)) break;
            int space = rest.IndexOfAny([' ', '\t']);
            string word = space < 0 ? rest : rest[..space];
            rest = space < 0 ? string.Empty : rest[space..].TrimStart();
            if (word.StartsWith("prelude=", StringComparison.Ordinal))
            {
                if (prelude is not null) throw new FormatException("two prelude= markers: name one kind.");
                string kind = word["prelude=".Length..];
                prelude = SnippetPrelude.Find(kind)
                    ?? throw new FormatException($"unknown prelude '{kind}' (kinds: {string.Join(", ", SnippetPrelude.All.Select(p => p.Name))}).");
            }
            else if (word.StartsWith("excerpt=", StringComparison.Ordinal))
            {
                excerpt = word["excerpt=".Length..];
                if (excerpt.Length == 0) throw new FormatException("excerpt= needs the path of the quoted file, relative to the repository root.");
            }
            else if (word is "not-compiled" or "no-run")
            {
                throw new FormatException($"'{word}' needs a reason after a colon: '{word}: why'.");
            }
            else
            {
                throw new FormatException($"unknown marker '{word}' (markers: {Syntax}).");
            }
        }
        if (notCompiled is not null && (prelude is not null || excerpt is not null))
            throw new FormatException("not-compiled cannot be combined with other markers.");
        if (excerpt is not null && (prelude is not null || noRun is not null))
            throw new FormatException("an excerpt is checked against its file, not compiled or run: it takes no prelude= or no-run:.");
        return new SnippetMarkers(prelude, excerpt, noRun, notCompiled);
    }

    private static bool TryReason(ref string rest, string marker, out string? reason)
    {
        reason = null;
        if (!rest.StartsWith(marker, StringComparison.Ordinal)) return false;
        reason = rest[marker.Length..].Trim();
        if (reason.Length == 0) throw new FormatException($"'{marker}' needs a reason after it.");
        rest = string.Empty;
        return true;
    }
}

/// <summary>
/// What a fragment is compiled after (<c>prelude=KIND</c>): usings and declared variables, kept small and listed in
/// docs/CONTRIBUTING.md. The statements run before the block when the block is run.
/// </summary>
/// <param name="Name">The kind, as written after <c>prelude=</c>.</param>
/// <param name="Usings">Namespaces imported for the block.</param>
/// <param name="Statements">Top-level statements compiled (and run) before the block.</param>
/// <param name="Runnable">False when the prelude cannot run in the test process (the block is compiled only).</param>
public sealed record SnippetPrelude(string Name, string[] Usings, string Statements, bool Runnable)
{
    private const string Device = """
        using var runtime = NpuRuntime.Initialize();
        using var device = NpuDevice.Open(0);

        """;

    /// <summary>The kinds.</summary>
    public static IReadOnlyList<SnippetPrelude> All { get; } =
    [
        // runtime, device
        new("device", ["Ascend.Interop"], Device, Runnable: true),
        // runtime, device, stream
        new("stream", ["Ascend.Interop"], Device + "using var stream = device.CreateStream();\n", Runnable: true),
        // one rank of a distributed job: job, runtime, device, comm, stream (needs the launcher's environment)
        new("rank", ["Ascend.Interop", "Ascend.Interop.Distributed"], """
            var job = NpuJobRank.FromEnvironment()!;
            using var runtime = NpuRuntime.Initialize();
            using var device = NpuDevice.Open(job.DeviceId);
            using var comm = job.Join(device, TimeSpan.FromSeconds(60));
            using var stream = device.CreateStream();

            """, Runnable: false),
    ];

    /// <summary>The kind named <paramref name="name"/>, or null.</summary>
    public static SnippetPrelude? Find(string name) => All.FirstOrDefault(p => p.Name == name);
}
