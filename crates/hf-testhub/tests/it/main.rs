//! Integration tests of the Hub emulator over real HTTP on loopback.

mod access;
mod collections;
mod commits;
mod control;
mod discussions;
mod downloads;
mod endpoints;
mod faults;
mod pagination;
mod persistence;
mod revisions;
mod spaces;
mod support;
mod upload;
mod users;
mod webhooks;
