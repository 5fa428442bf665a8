namespace CharityPromo.Api.Pledges;

/// <summary>
/// ISO 4217 currencies and their minor-unit exponents: the one table every amount is read against.
/// Codes are lowercase, as Stripe writes them.
/// </summary>
internal static class Currencies
{
    private static readonly string[] ZeroDecimal =
        ["bif", "clp", "djf", "gnf", "isk", "jpy", "kmf", "krw", "pyg", "rwf", "ugx", "uyi", "vnd", "vuv", "xaf", "xof", "xpf"];

    private static readonly string[] ThreeDecimal = ["bhd", "iqd", "jod", "kwd", "lyd", "omr", "tnd"];

    private static readonly string[] TwoDecimal =
    [
        "aed", "afn", "all", "amd", "ang", "aoa", "ars", "aud", "awg", "azn", "bam", "bbd", "bdt", "bgn", "bmd",
        "bnd", "bob", "brl", "bsd", "btn", "bwp", "byn", "bzd", "cad", "cdf", "chf", "cny", "cop", "crc", "cup",
        "cve", "czk", "dkk", "dop", "dzd", "egp", "ern", "etb", "eur", "fjd", "fkp", "gbp", "gel", "ghs", "gip",
        "gmd", "gtq", "gyd", "hkd", "hnl", "htg", "huf", "idr", "ils", "inr", "irr", "jmd", "kes", "kgs", "khr",
        "kpw", "kyd", "kzt", "lak", "lbp", "lkr", "lrd", "lsl", "mad", "mdl", "mga", "mkd", "mmk", "mnt", "mop",
        "mru", "mur", "mvr", "mwk", "mxn", "myr", "mzn", "nad", "ngn", "nio", "nok", "npr", "nzd", "pab", "pen",
        "pgk", "php", "pkr", "pln", "qar", "ron", "rsd", "rub", "sar", "sbd", "scr", "sdg", "sek", "sgd", "shp",
        "sle", "sos", "srd", "ssp", "stn", "svc", "syp", "szl", "thb", "tjs", "tmt", "top", "try", "ttd", "twd",
        "tzs", "uah", "usd", "uyu", "uzs", "ves", "wst", "xcd", "yer", "zar", "zmw", "zwl",
    ];

    private static readonly Dictionary<string, int> Exponents = BuildTable();

    public static bool IsKnown(string? code) => code is not null && Exponents.ContainsKey(code);

    /// <summary>Digits after the decimal point: 0 for jpy, 2 for usd, 3 for kwd.</summary>
    public static int Exponent(string code) =>
        Exponents.TryGetValue(code, out var exponent)
            ? exponent
            : throw new ArgumentException($"Unknown currency '{code}'.", nameof(code));

    /// <summary>How many minor units make one major unit (100 for usd).</summary>
    public static long MinorUnitsPerMajor(string code) => Exponent(code) switch { 0 => 1, 2 => 100, _ => 1000 };

    /// <summary>Minor units as an invariant decimal string in major units: 4999 usd → "49.99".</summary>
    public static string ToMajorString(long minorUnits, string code)
    {
        var exponent = Exponent(code);
        if (exponent == 0) return minorUnits.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var unit = MinorUnitsPerMajor(code);
        var abs = Math.Abs(minorUnits);
        // Formatted in place, one allocation: exports call this three times a row.
        var text = new System.Runtime.CompilerServices.DefaultInterpolatedStringHandler(2, 2, System.Globalization.CultureInfo.InvariantCulture, stackalloc char[32]);
        if (minorUnits < 0) text.AppendLiteral("-");
        text.AppendFormatted(abs / unit);
        text.AppendLiteral(".");
        text.AppendFormatted(abs % unit, exponent == 2 ? "D2" : "D3");
        return text.ToStringAndClear();
    }

    private static Dictionary<string, int> BuildTable()
    {
        var table = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var code in TwoDecimal) table[code] = 2;
        foreach (var code in ZeroDecimal) table[code] = 0;
        foreach (var code in ThreeDecimal) table[code] = 3;
        return table;
    }
}
