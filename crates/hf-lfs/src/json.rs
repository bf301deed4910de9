//! JSON written byte-for-byte like Python's `json.dumps` defaults: `", "` and `": "`
//! separators, and everything outside printable ASCII escaped as `\uXXXX` (surrogate
//! pairs above U+FFFF). The Hub accepts any JSON; matching Python keeps our requests
//! identical to the reference client's, which the emulator and interop tests compare.

use std::io;

use serde::Serialize;
use serde_json::ser::Formatter;

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PyFormatter;

impl Formatter for PyFormatter {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // serde_json already escaped quotes, backslashes and control characters; what is
        // left to do is Python's `ensure_ascii` (DEL and non-ASCII).
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if (' '..='~').contains(&c) {
                continue;
            }
            w.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(w, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
}

/// Serialises `value` like Python's `json.dumps(value)`.
pub(crate) fn to_vec<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PyFormatter);
    value
        .serialize(&mut ser)
        .expect("serialising plain structs and strings into a Vec cannot fail");
    out
}

/// [`to_vec`] followed by a newline: one NDJSON line.
pub(crate) fn to_line<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) {
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, PyFormatter);
    value
        .serialize(&mut ser)
        .expect("serialising plain structs and strings into a Vec cannot fail");
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_python_dumps() {
        let v = serde_json::json!({"a": [1, 2], "b": "é\u{1F600}\u{7f}\n\"x\""});
        assert_eq!(
            String::from_utf8(to_vec(&v)).unwrap(),
            r#"{"a": [1, 2], "b": "\u00e9\ud83d\ude00\u007f\n\"x\""}"#
        );
    }
}
