using System.Globalization;
using System.Text;

namespace FedLearn.Ledger;

/// <summary>
/// Writes the canonical JSON of docs/ledger.md: one object, no whitespace, keys in the caller's order.
/// Hand-written rather than Utf8JsonWriter because its escaping (non-ASCII, HTML characters) is an
/// implementation choice an outside auditor could not reproduce from a specification.
/// </summary>
internal sealed class CanonicalJsonWriter
{
    // Throws on lone surrogates instead of silently writing U+FFFD, so two different strings never encode alike.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly StringBuilder _text = new("{");
    private bool _first = true;

    public CanonicalJsonWriter String(string key, string value)
    {
        Key(key);
        AppendString(value);
        return this;
    }

    public CanonicalJsonWriter Integer(string key, long value)
    {
        Key(key);
        _text.Append(value.ToString(CultureInfo.InvariantCulture));
        return this;
    }

    public CanonicalJsonWriter Number(string key, double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException($"Field '{key}' must be a finite number; got {value}.", nameof(value));
        }

        Key(key);
        _text.Append(value.ToString("R", CultureInfo.InvariantCulture));
        return this;
    }

    /// <summary>Writes the member only when it has a value: optional members are absent, never null.</summary>
    public CanonicalJsonWriter OptionalNumber(string key, double? value) => value is { } v ? Number(key, v) : this;

    public CanonicalJsonWriter OptionalInteger(string key, long? value) => value is { } v ? Integer(key, v) : this;

    public CanonicalJsonWriter OptionalString(string key, string? value) => value is null ? this : String(key, value);

    public CanonicalJsonWriter Time(string key, DateTimeOffset value)
    {
        Key(key);
        AppendString(LedgerTime.Format(value));
        return this;
    }

    public byte[] ToUtf8() => StrictUtf8.GetBytes(_text.ToString() + "}");

    private void Key(string key)
    {
        if (!_first)
        {
            _text.Append(',');
        }

        _first = false;
        AppendString(key);
        _text.Append(':');
    }

    private void AppendString(string value)
    {
        _text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': _text.Append("\\\""); break;
                case '\\': _text.Append("\\\\"); break;
                case '\b': _text.Append("\\b"); break;
                case '\f': _text.Append("\\f"); break;
                case '\n': _text.Append("\\n"); break;
                case '\r': _text.Append("\\r"); break;
                case '\t': _text.Append("\\t"); break;
                case < ' ': _text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: _text.Append(c); break;
            }
        }

        _text.Append('"');
    }
}
