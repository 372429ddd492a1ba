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

    /// <summary>
    /// A report's table: <paramref name="title"/> (markup) over the <paramref name="columns"/>, the first
    /// <paramref name="leftColumns"/> and the last left-aligned, the others right-aligned, with the caption under it.
    /// </summary>
    public static Table ReportTable(string title, string[] columns, int leftColumns, string caption)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(title);
        for (int i = 0; i < columns.Length; i++)
        {
            var column = new TableColumn(Markup.Escape(columns[i]));
            if (i >= leftColumns && i < columns.Length - 1) column.RightAligned();
            table.AddColumn(column);
        }
        table.Caption(Markup.Escape(caption));
        return table;
    }
}
