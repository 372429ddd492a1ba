using Spectre.Console;

namespace Ascend.Interop.Demo;

/// <summary>The console the demo writes to: a terminal as detected, or a wide plain one when stdout is redirected.</summary>
internal static class DemoConsole
{
    public static IAnsiConsole Create()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Detect,
            Out = new AnsiConsoleOutput(Console.Out),
        });
        // Redirected output (CI, pipes) gets Spectre's 80-column default, which would wrap the table.
        if (Console.IsOutputRedirected) console.Profile.Width = 200;
        return console;
    }
}
