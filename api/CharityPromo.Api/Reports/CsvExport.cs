using System.Buffers;
using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace CharityPromo.Api.Reports;

/// <summary>
/// Every CSV the API hands out: RFC 4180 with CRLF, UTF-8 with a BOM (so spreadsheets read it as UTF-8),
/// headers named like the JSON fields, written row by row as the rows arrive (memory stays flat), and
/// text cells a spreadsheet would run as a formula (starting =, +, -, @, tab or CR) prefixed with an apostrophe.
/// Numbers are written as numbers: a negative amount is not a formula.
/// </summary>
/// <remarks>
/// Hand-written rather than CsvHelper, whose reflection-based mapping costs more than reading the rows (docs/BENCHMARKS.md
/// compares them). Each row type's columns are compiled once into delegates that format straight into a char buffer.
/// </remarks>
internal static class CsvExport
{
    private const int FlushAtChars = 32 * 1024;
    private static readonly UTF8Encoding Utf8WithBom = new(encoderShouldEmitUTF8Identifier: true);

    public static async Task WriteAsync<T>(IAsyncEnumerable<T> rows, Stream output, CancellationToken ct)
    {
        await using var writer = new StreamWriter(output, Utf8WithBom, bufferSize: 64 * 1024);
        var buffer = new CsvBuffer();
        var columns = Columns<T>.All;
        for (var i = 0; i < columns.Length; i++)
        {
            if (i > 0) buffer.Separator();
            buffer.Cell(columns[i].Name);
        }
        buffer.End();
        await foreach (var row in rows.WithCancellation(ct))
        {
            for (var i = 0; i < columns.Length; i++)
            {
                if (i > 0) buffer.Separator();
                columns[i].Write(row, buffer);
            }
            buffer.End();
            if (buffer.Length >= FlushAtChars) await buffer.DrainToAsync(writer, ct); // never a synchronous write to the response
        }
        await buffer.DrainToAsync(writer, ct);
        await writer.FlushAsync(ct);
    }

    private sealed record Column<T>(string Name, Action<T, CsvBuffer> Write);

    /// <summary>The public properties of <typeparamref name="T"/> in declaration order, each compiled to a cell writer.</summary>
    private static class Columns<T>
    {
        public static readonly Column<T>[] All = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => new Column<T>(JsonNamingPolicy.CamelCase.ConvertName(p.Name), Compile(p)))
            .ToArray();

        private static Action<T, CsvBuffer> Compile(PropertyInfo property)
        {
            var row = Expression.Parameter(typeof(T), "row");
            var buffer = Expression.Parameter(typeof(CsvBuffer), "buffer");
            var cell = typeof(CsvBuffer).GetMethod(nameof(CsvBuffer.Cell), [property.PropertyType])
                ?? throw new NotSupportedException($"CSV column {typeof(T).Name}.{property.Name}: no cell format for {property.PropertyType}.");
            return Expression.Lambda<Action<T, CsvBuffer>>(Expression.Call(buffer, cell, Expression.Property(row, property)), row, buffer).Compile();
        }
    }

    /// <summary>Rows formatted into one growing char buffer, drained to the writer every few thousand rows.</summary>
    private sealed class CsvBuffer
    {
        private readonly ArrayBufferWriter<char> _buffer = new(FlushAtChars + 4096);

        public int Length => _buffer.WrittenCount;

        public void Separator() => Append(',');

        public void End()
        {
            Append('\r');
            Append('\n');
        }

        public void Cell(long value) => Format(value, default);

        public void Cell(long? value)
        {
            if (value is { } v) Format(v, default);
        }

        public void Cell(int value) => Format(value, default);

        public void Cell(Guid value) => Format(value, "D");

        public void Cell(string? value)
        {
            if (string.IsNullOrEmpty(value)) return;
            var formula = value[0] is '=' or '+' or '-' or '@' or '\t' or '\r';
            var quote = value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || value[0] == ' ' || value[^1] == ' ';
            if (!formula && !quote)
            {
                _buffer.Write(value);
                return;
            }
            if (quote) Append('"');
            if (formula) Append('\'');
            foreach (var c in value)
            {
                if (c == '"') Append('"');
                Append(c);
            }
            if (quote) Append('"');
        }

        public async Task DrainToAsync(StreamWriter writer, CancellationToken ct)
        {
            await writer.WriteAsync(_buffer.WrittenMemory, ct);
            _buffer.ResetWrittenCount();
        }

        private void Format<TValue>(TValue value, ReadOnlySpan<char> format) where TValue : ISpanFormattable
        {
            var span = _buffer.GetSpan(64);
            if (!value.TryFormat(span, out var written, format, CultureInfo.InvariantCulture))
                throw new InvalidOperationException($"Could not format {value} for CSV.");
            _buffer.Advance(written);
        }

        private void Append(char c)
        {
            _buffer.GetSpan(1)[0] = c;
            _buffer.Advance(1);
        }
    }
}
