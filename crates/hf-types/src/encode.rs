//! Percent-encoding sets matching Python's `urllib.parse.quote`.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};

/// Python `quote(s, safe="")`: everything but `A-Za-z0-9_.-~` is encoded.
pub(crate) const QUOTE_NO_SAFE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'.')
    .remove(b'-')
    .remove(b'~');

/// Python `quote(s)` (`safe="/"`): like [`QUOTE_NO_SAFE`] but `/` is kept.
pub(crate) const QUOTE_PATH: &AsciiSet = &QUOTE_NO_SAFE.remove(b'/');
