//! Integration tests of the Hub emulator over real HTTP on loopback.
