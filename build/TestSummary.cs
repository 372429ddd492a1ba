// Counts the test results in a folder and prints one line: "N passed, N failed, N skipped".
// Reads every *.trx (Microsoft.Testing.Platform TRX reports) and every *junit*.xml (CTest JUnit output).
// Usage: dotnet run build/TestSummary.cs [results-folder]   (default: artifacts/test-results)
// Exit code: 0 when at least one test ran and none failed; 1 when a test failed or a file could not be read
// (counted as one failure); 2 when there was nothing to count ("ran no test").
using System.Xml;
using System.Xml.Linq;

string folder = args.Length > 0 ? args[0] : Path.Combine("artifacts", "test-results");
int passed = 0, failed = 0, skipped = 0;

string[] trxFiles = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.trx", SearchOption.TopDirectoryOnly) : [];
string[] junitFiles = Directory.Exists(folder) ? Directory.GetFiles(folder, "*junit*.xml", SearchOption.TopDirectoryOnly) : [];
Array.Sort(trxFiles, StringComparer.Ordinal);
Array.Sort(junitFiles, StringComparer.Ordinal);

foreach (string file in trxFiles)
{
    XDocument doc;
    if (!TryLoad(file, out doc))
    {
        continue;
    }

    int failedHere = 0;
    foreach (XElement result in doc.Descendants().Where(e => e.Name.LocalName == "UnitTestResult"))
    {
        switch ((string?)result.Attribute("outcome"))
        {
            case "Passed" or "PassedButRunAborted":
                passed++;
                break;
            case "NotExecuted" or "Inconclusive" or "NotRunnable":
                skipped++;
                break;
            default: // Failed, Error, Timeout, Aborted, or anything this script does not know: never count it as a pass.
                failed++;
                failedHere++;
                break;
        }
    }

    // A test host that crashed or was aborted can leave a failed summary with no failed result: count the run itself.
    string? runOutcome = (string?)doc.Descendants().FirstOrDefault(e => e.Name.LocalName == "ResultSummary")?.Attribute("outcome");
    if (failedHere == 0 && runOutcome is "Failed" or "Error" or "Aborted" or "Timeout")
    {
        Console.Error.WriteLine($"{Path.GetFileName(file)}: the test run ended '{runOutcome}' with no failed test; counted as one failure.");
        failed++;
    }
}

foreach (string file in junitFiles)
{
    XDocument doc;
    if (!TryLoad(file, out doc))
    {
        continue;
    }

    foreach (XElement testCase in doc.Descendants().Where(e => e.Name.LocalName == "testcase"))
    {
        string status = (string?)testCase.Attribute("status") ?? "";
        if (testCase.Elements().Any(e => e.Name.LocalName is "failure" or "error"))
        {
            failed++;
        }
        else if (testCase.Elements().Any(e => e.Name.LocalName == "skipped") || status is "notrun" or "disabled" or "skipped")
        {
            skipped++;
        }
        else
        {
            passed++;
        }
    }
}

Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");

if (trxFiles.Length + junitFiles.Length == 0)
{
    Console.Error.WriteLine($"ran no test: no *.trx or *junit*.xml file in {folder}");
    return 2;
}

if (passed + failed + skipped == 0)
{
    Console.Error.WriteLine($"ran no test: the result files in {folder} hold no test result");
    return 2;
}

return failed > 0 ? 1 : 0;

bool TryLoad(string file, out XDocument doc)
{
    try
    {
        doc = XDocument.Load(file);
        return true;
    }
    catch (Exception e) when (e is XmlException or IOException or UnauthorizedAccessException)
    {
        // An unreadable report hides an unknown number of results: count it as one failure so the line agrees with the exit code.
        Console.Error.WriteLine($"{file}: cannot read test results (counted as one failure): {e.Message}");
        failed++;
        doc = new XDocument();
        return false;
    }
}
