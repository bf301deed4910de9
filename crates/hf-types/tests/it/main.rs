//! Integration tests of hf-types: real Hub payloads, hand-written payloads for every
//! type, and the identifier encodings.

mod fixtures;
mod identifiers;
mod payloads;
