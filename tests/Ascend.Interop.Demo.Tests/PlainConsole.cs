using Spectre.Console;

namespace Ascend.Interop.Demo.Tests;

/// <summary>A console without colours or interaction, 250 columns wide, whose output the test reads back.</summary>
internal static class PlainConsole
{
    public static (IAnsiConsole Console, StringWriter Text) Create()
    {
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(text),
        });
        console.Profile.Width = 250;
        return (console, text);
    }
}
