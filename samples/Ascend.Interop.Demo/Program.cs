using Ascend.Interop;
using Ascend.Interop.Demo;
using Ascend.Interop.Native;
using Spectre.Console;

// Entry point: parse the options, run the demo, map failures to exit codes (see DemoOptions.HelpText).
var console = DemoConsole.Create();
DemoOptions options;
try
{
    options = DemoOptions.Parse(args).Validate();
}
catch (DemoOptionsException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine("Run with --help for the options.");
    return 2;
}
if (options.ShowHelp)
{
    Console.WriteLine(DemoOptions.HelpText);
    return 0;
}

try
{
    if (options.Model == DemoModel.Llm) return new LlmDemoRunner(options, console).Run().Passed ? 0 : 1;
    var report = new DemoRunner(options, console).Run();
    return report.Passed ? 0 : 1;
}
catch (DemoOptionsException e)
{
    // An option the loaded runtime cannot honour (--decode-mode loop without conditional graph nodes).
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
catch (NativeLibraryNotFoundException e)
{
    Console.Error.WriteLine($"error: the {options.Backend.ToString().ToLowerInvariant()} backend could not be loaded: {e.Message}");
    return 3;
}
catch (AclException e)
{
    Console.Error.WriteLine($"error: the device failed: {e.Message}");
    return 3;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: the output folder '{options.OutputDirectory}' could not be written: {e.Message}");
    return 4;
}
